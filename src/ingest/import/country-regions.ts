/**
 * Sales regions by country, for mappings that ask for `"regionFromCountry": true`: NA, LATAM,
 * EMEA or APAC, from an English country name (as CRMs export it) or an ISO 3166-1 alpha-2 code.
 * Case, accents, punctuation and a leading "the" do not matter; a country not listed gives no region.
 *
 * @example regionOfCountry("United States")  // "NA"
 * @example regionOfCountry("de")             // "EMEA"
 * @example regionOfCountry("Philippines")    // "APAC"
 */
export function regionOfCountry(country: string): string | null {
  return BY_KEY.get(key(country)) ?? null;
}

/** [region, [alpha-2 code, names…]…]: the names CRMs commonly write. */
const TABLE: readonly (readonly [string, readonly (readonly string[])[]])[] = [
  ["NA", [["US", "United States", "United States of America", "USA", "U.S.A.", "U.S."], ["CA", "Canada"], ["PR", "Puerto Rico"]]],
  ["LATAM", [
    ["MX", "Mexico"], ["BR", "Brazil", "Brasil"], ["AR", "Argentina"], ["CL", "Chile"], ["CO", "Colombia"], ["PE", "Peru"], ["UY", "Uruguay"],
    ["PY", "Paraguay"], ["BO", "Bolivia"], ["EC", "Ecuador"], ["VE", "Venezuela"], ["PA", "Panama"], ["CR", "Costa Rica"], ["GT", "Guatemala"],
    ["HN", "Honduras"], ["SV", "El Salvador"], ["NI", "Nicaragua"], ["DO", "Dominican Republic"], ["CU", "Cuba"], ["JM", "Jamaica"],
    ["TT", "Trinidad and Tobago"],
  ]],
  ["EMEA", [
    ["GB", "United Kingdom", "UK", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland"], ["IE", "Ireland"], ["FR", "France"],
    ["DE", "Germany", "Deutschland"], ["NL", "Netherlands", "Holland"], ["BE", "Belgium"], ["LU", "Luxembourg"], ["CH", "Switzerland"],
    ["AT", "Austria"], ["IT", "Italy"], ["ES", "Spain"], ["PT", "Portugal"], ["DK", "Denmark"], ["SE", "Sweden"], ["NO", "Norway"],
    ["FI", "Finland"], ["IS", "Iceland"], ["PL", "Poland"], ["CZ", "Czech Republic", "Czechia"], ["SK", "Slovakia"], ["HU", "Hungary"],
    ["RO", "Romania"], ["BG", "Bulgaria"], ["GR", "Greece"], ["HR", "Croatia"], ["SI", "Slovenia"], ["RS", "Serbia"], ["EE", "Estonia"],
    ["LV", "Latvia"], ["LT", "Lithuania"], ["UA", "Ukraine"], ["TR", "Turkey", "Türkiye"], ["CY", "Cyprus"], ["MT", "Malta"], ["IL", "Israel"],
    ["AE", "United Arab Emirates", "UAE"], ["SA", "Saudi Arabia"], ["QA", "Qatar"], ["KW", "Kuwait"], ["BH", "Bahrain"], ["OM", "Oman"],
    ["JO", "Jordan"], ["LB", "Lebanon"], ["EG", "Egypt"], ["MA", "Morocco"], ["TN", "Tunisia"], ["DZ", "Algeria"], ["NG", "Nigeria"],
    ["KE", "Kenya"], ["GH", "Ghana"], ["ZA", "South Africa"], ["ET", "Ethiopia"], ["TZ", "Tanzania"], ["UG", "Uganda"], ["RW", "Rwanda"],
    ["SN", "Senegal"], ["CI", "Ivory Coast", "Cote d'Ivoire"], ["RU", "Russia", "Russian Federation"],
  ]],
  ["APAC", [
    ["CN", "China"], ["JP", "Japan"], ["KR", "South Korea", "Korea", "Republic of Korea"], ["TW", "Taiwan"], ["HK", "Hong Kong"],
    ["SG", "Singapore"], ["MY", "Malaysia"], ["TH", "Thailand"], ["VN", "Vietnam", "Viet Nam"], ["PH", "Philippines"], ["ID", "Indonesia"],
    ["IN", "India"], ["PK", "Pakistan"], ["BD", "Bangladesh"], ["LK", "Sri Lanka"], ["NP", "Nepal"], ["AU", "Australia"],
    ["NZ", "New Zealand"], ["KH", "Cambodia"], ["MM", "Myanmar"], ["MN", "Mongolia"], ["KZ", "Kazakhstan"],
  ]],
];

function key(s: string): string {
  return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().replace(/^the /, "");
}

const BY_KEY = new Map(TABLE.flatMap(([region, countries]) => countries.flatMap((names) => names.map((n) => [key(n), region] as const))));
