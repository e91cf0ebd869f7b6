import { domainToASCII } from "node:url";
import { FREE_MAIL_BRANDS, FREE_MAIL_DOMAINS, PUBLIC_SUFFIXES } from "./domain-lists";

const PUBLIC_SUFFIX_SET = new Set(PUBLIC_SUFFIXES);
const FREE_MAIL_SET = new Set(FREE_MAIL_DOMAINS);
const FREE_MAIL_BRAND_SET = new Set(FREE_MAIL_BRANDS);
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A checked value, or what is wrong with it in words a user can act on. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Normalises what people paste as a company domain: case, surrounding space, a scheme,
 * a path, a port, a leading `www.` and a trailing dot do not matter; international names
 * become their ASCII (punycode) form.
 *
 * @example normaliseDomain("https://WWW.Acme.com./pricing") // { ok: true, value: "acme.com" }
 */
export function normaliseDomain(input: string): Checked<string> {
  return DOMAINS.get(input, checkDomain);
}

function checkDomain(input: string): Checked<string> {
  const host = normaliseHost(input, true);
  if (host === null) return { ok: false, message: detach(`"${clip(input)}" is not a domain name; send the company's web domain, e.g. acme.com`) };
  return { ok: true, value: host };
}

/** A domain an account may own: a normalised domain that is not itself a public suffix. */
export function normaliseAccountDomain(input: string): Checked<string> {
  return ACCOUNT_DOMAINS.get(input, checkAccountDomain);
}

function checkAccountDomain(input: string): Checked<string> {
  const checked = normaliseDomain(input);
  if (!checked.ok) return checked;
  if (registrableDomain(checked.value) === null) {
    return { ok: false, message: detach(`"${checked.value}" is a public suffix that no company owns; send the company's own domain, e.g. acme.${checked.value}`) };
  }
  return checked;
}

/** An email address, lower-cased, with its domain in ASCII form. */
export function normaliseEmail(input: string): Checked<{ email: string; domain: string }> {
  const lower = input.trim().toLowerCase();
  const raw = lower.startsWith("mailto:") ? lower.slice(7) : lower;
  const at = raw.lastIndexOf("@");
  const bad = { ok: false as const, message: `"${clip(input)}" is not an email address; send it as name@company.com` };
  if (at < 1 || at === raw.length - 1) return bad;
  const local = raw.slice(0, at);
  if (local.length > 64 || !/^[^\s@<>()[\]\\,;:"]+$/.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes("..")) return bad;
  const host = raw.slice(at + 1);
  const domain = EMAIL_HOSTS.get(host, (h) => normaliseHost(h, false));
  if (domain === null) return bad;
  const email = domain === host ? raw : `${local}@${domain}`;
  if (email.length > 254) return bad;
  return { ok: true, value: { email, domain } };
}

function normaliseHost(input: string, stripWww: boolean): string | null {
  let s = input.trim().toLowerCase();
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  s = s.replace(/[/?#].*$/, "");
  s = s.replace(/:\d+$/, "");
  s = s.replace(/\.+$/, "");
  if (stripWww) s = s.replace(/^www\d?\./, "");
  if (s === "" || s.length > 253 || /[\s@]/.test(s)) return null;
  const ascii = /^[\x00-\x7f]*$/.test(s) ? s : domainToASCII(s);
  if (!ascii) return null;
  const labels = ascii.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return null; // an IP address, not a domain
  return detach(ascii); // cached: must not pin the chunk it was read from
}

/** Labels of the longest public suffix of `domain` (at least 1: every TLD is one). */
export function publicSuffixLabels(domain: string): number {
  const labels = domain.split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    if (PUBLIC_SUFFIX_SET.has(labels.slice(i).join("."))) return labels.length - i;
  }
  return 1;
}

/**
 * The part of a domain a company registers: one label more than its public suffix; null when
 * the domain is itself a public suffix.
 *
 * @example registrableDomain("mail.eu.acme.co.uk") // "acme.co.uk"
 */
export function registrableDomain(domain: string): string | null {
  const labels = domain.split(".");
  const suffix = publicSuffixLabels(domain);
  return labels.length > suffix ? labels.slice(labels.length - suffix - 1).join(".") : null;
}

/** A free-mail domain (or a subdomain of one, or a free-mail brand under any country domain). */
export function isFreeMail(domain: string): boolean {
  return FREE_MAIL.get(domain, checkFreeMail);
}

function checkFreeMail(domain: string): boolean {
  const labels = domain.split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    if (FREE_MAIL_SET.has(labels.slice(i).join("."))) return true;
  }
  const registrable = registrableDomain(domain);
  return registrable !== null && FREE_MAIL_BRAND_SET.has(registrable.split(".")[0]!);
}

/** One of our own domains (or a subdomain of one). */
export function isInternalDomain(domain: string, internalDomains: readonly string[]): boolean {
  return internalDomains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/**
 * The domain an email stitches by: its own, unless it is free-mail or internal, which never
 * stitch by email.
 */
export function stitchDomainOfEmail(domain: string, internalDomains: readonly string[]): string | null {
  return isFreeMail(domain) || isInternalDomain(domain, internalDomains) ? null : domain;
}

/**
 * Results of pure checks by input: an import of a million events meets the same few thousand
 * domains over and over. Bounded: emptied when full.
 */
class Memo<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max = 50_000) {}

  get(key: string, compute: (key: string) => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined || this.map.has(key)) return hit as V;
    const value = compute(key);
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(detach(key), value);
    return value;
  }
}

/**
 * A copy of `s` that does not share memory with the string it was cut from. Values read from
 * a CSV are slices of a 1 MB chunk; caching one as is would keep the whole chunk alive.
 */
export function detach(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

const DOMAINS = new Memo<Checked<string>>();
const ACCOUNT_DOMAINS = new Memo<Checked<string>>();
const EMAIL_HOSTS = new Memo<string | null>();
const FREE_MAIL = new Memo<boolean>();

/** Keeps quoted user input short in messages. */
export function clip(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
