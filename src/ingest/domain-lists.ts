/**
 * The lists identity stitching ships with. They are deliberately small and reviewable: a
 * full Public Suffix List is ~10k rules, and the rules below cover the suffixes B2B CRM data
 * actually meets. Single-label TLDs (`com`, `de`, `io`, …) are always public suffixes and
 * need no entry.
 */

/** Multi-label public suffixes: no company owns `co.uk`, so nothing stitches to it or across it. */
export const PUBLIC_SUFFIXES: readonly string[] = [
  // country second-level domains
  "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "nhs.uk", "sch.uk",
  "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
  "co.nz", "org.nz", "net.nz", "ac.nz", "govt.nz",
  "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "gr.jp",
  "co.kr", "or.kr", "ne.kr", "ac.kr", "go.kr",
  "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn",
  "com.hk", "org.hk", "net.hk", "com.tw", "org.tw", "net.tw", "com.sg", "org.sg", "edu.sg", "gov.sg",
  "com.my", "co.id", "or.id", "com.ph", "com.vn", "co.th", "in.th", "com.pk", "co.in", "net.in", "org.in", "firm.in", "gen.in", "ind.in",
  "com.br", "net.br", "org.br", "gov.br", "com.ar", "com.mx", "org.mx", "com.co", "com.pe", "com.uy", "com.ve",
  "co.za", "org.za", "net.za", "web.za", "com.ng", "co.ke", "or.ke", "com.eg", "co.ma",
  "com.tr", "org.tr", "net.tr", "gen.tr", "com.sa", "com.qa", "co.il", "org.il", "ac.il",
  "com.ua", "org.ua", "kiev.ua", "com.pl", "net.pl", "org.pl", "co.at", "or.at", "com.gr", "com.cy", "com.mt", "com.pt",
  "com.es", "org.es", "nom.es", "co.hu", "com.ro", "com.ru", "org.ru", "net.ru", "msk.ru", "spb.ru",
  "us.com", "uk.com", "eu.com", "gb.net", "uk.net",
  // shared hosting platforms: every customer gets a subdomain of these
  "github.io", "gitlab.io", "herokuapp.com", "blogspot.com", "wordpress.com", "wixsite.com", "squarespace.com",
  "azurewebsites.net", "cloudapp.net", "cloudfront.net", "appspot.com", "firebaseapp.com", "web.app",
  "netlify.app", "vercel.app", "pages.dev", "workers.dev", "fly.dev", "onrender.com", "s3.amazonaws.com",
  "elasticbeanstalk.com", "myshopify.com", "notion.site", "webflow.io",
];

/** Free-mail providers: their users are people, not companies, so their email domain never stitches. */
export const FREE_MAIL_DOMAINS: readonly string[] = [
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "passport.com",
  "icloud.com", "me.com", "mac.com", "aol.com", "aim.com", "proton.me", "protonmail.com", "protonmail.ch", "pm.me",
  "gmx.com", "gmx.net", "mail.com", "email.com", "zoho.com", "zohomail.com", "yandex.com", "yandex.ru", "ya.ru",
  "fastmail.com", "fastmail.fm", "tutanota.com", "tutanota.de", "tuta.io", "hey.com", "hushmail.com", "mailbox.org", "posteo.de",
  "web.de", "t-online.de", "freenet.de", "arcor.de", "free.fr", "orange.fr", "wanadoo.fr", "laposte.net", "sfr.fr",
  "libero.it", "virgilio.it", "tiscali.it", "alice.it", "mail.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru",
  "seznam.cz", "centrum.cz", "wp.pl", "o2.pl", "interia.pl", "onet.pl", "btinternet.com", "sky.com", "virginmedia.com",
  "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net", "earthlink.net",
  "shaw.ca", "rogers.com", "sympatico.ca", "bigpond.com", "optusnet.com.au",
  "qq.com", "163.com", "126.com", "sina.com", "sohu.com", "naver.com", "daum.net", "hanmail.net",
  "rediffmail.com", "uol.com.br", "bol.com.br", "terra.com.br",
];

/**
 * Free-mail brands under many country domains (`yahoo.*` covers yahoo.com, yahoo.co.uk,
 * yahoo.fr, …): the first label of the registrable domain.
 */
export const FREE_MAIL_BRANDS: readonly string[] = ["yahoo", "ymail", "rocketmail", "gmx", "hotmail", "outlook", "live", "aol", "windowslive"];
