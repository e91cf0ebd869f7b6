import {
  CORE_INDUSTRIES, COUNTRIES, type Country, FIT_TECHNOLOGIES, INDUSTRIES, type Industry, PREFIXES, ROOTS, TECHNOLOGIES,
} from "./catalog";
import { clamp, rng, type Rng, sigmoid, Stream, Weighted } from "./random";

/** How an account's people spell their email addresses. */
export type EmailPattern = "first.last" | "flast" | "first" | "firstl" | "first_last";

/** Custom CRM fields stored in `accounts.attributes`, for fit rules on custom attributes. */
export interface DemoAttributes {
  readonly crm: string;
  readonly funding_stage: string;
  readonly it_budget_band: string;
  readonly founded_year: number;
}

/** One demo account before it gets an id: everything `accounts` stores, plus the latent fit. */
export interface AccountProfile {
  readonly index: number;
  readonly name: string;
  readonly domain: string;
  /** The domain without its top-level part ("northbridge" of "northbridge.io"). */
  readonly label: string;
  /** Index of the parent account; always lower than `index`, and parents are never subsidiaries. */
  readonly parentIndex: number | null;
  readonly industry: Industry;
  readonly employees: number;
  readonly annualRevenue: number;
  readonly country: Country;
  readonly technologies: readonly string[];
  readonly attributes: DemoAttributes;
  readonly tier: "A" | "B" | "C";
  readonly isTarget: boolean;
  readonly emailPattern: EmailPattern;
  /** The demo world's true fit, 0–100 (see {@link demoFit}); deals of well-fitting accounts win more often. */
  readonly fit: number;
}

const INDUSTRY_TABLE = new Weighted(INDUSTRIES.map((i) => [i, i.weight] as const));
const COUNTRY_TABLE = new Weighted(COUNTRIES.map((c) => [c, c.weight] as const));
const SUBSIDIARY_SHARE = 0.085;
/** The first accounts are never subsidiaries, so early parents have a pool to come from. */
const FIRST_POSSIBLE_SUBSIDIARY = 20;

/**
 * The accounts of a demo data set, in index order. Names and domains are unique: a clash
 * with an earlier account is redrawn, then numbered, so account `i` depends only on the
 * seed and accounts `0..i` — the same seed gives the same first accounts at any size.
 */
export function generateAccountProfiles(seed: number, count: number, now: Date): AccountProfile[] {
  const names = new Set<string>();
  const domains = new Set<string>();
  const profiles: AccountProfile[] = [];
  const year = now.getUTCFullYear();
  for (let index = 0; index < count; index++) {
    const r = rng(seed, index, Stream.profile);
    const parent = index >= FIRST_POSSIBLE_SUBSIDIARY && r.chance(SUBSIDIARY_SHARE) ? chooseParent(r, profiles) : null;
    const profile = parent
      ? subsidiaryOf(r, index, parent, names, domains, year)
      : independent(r, rng(seed, index, Stream.name), index, names, domains, year);
    names.add(profile.name);
    domains.add(profile.domain);
    profiles.push(profile);
  }
  return profiles;
}

/**
 * The demo world's ideal customer profile, 0–100:
 * core industry (Software, Financial Services, Healthcare) 30, or Telecommunications/Media 10;
 * 200–10,000 employees 25 (50–199 or 10,001–50,000: 10); a modern stack (salesforce 10,
 * snowflake 10, segment 8, marketo 7; at most 30); region NA 15, EMEA 12, APAC 5.
 * Example: a 900-person US software company on salesforce and snowflake scores 30+25+20+15 = 90.
 */
export function demoFit(p: { industry: string; employees: number; technologies: readonly string[]; region: string }): number {
  let fit = CORE_INDUSTRIES.has(p.industry) ? 30 : p.industry === "Telecommunications" || p.industry === "Media" ? 10 : 0;
  if (p.employees >= 200 && p.employees <= 10_000) fit += 25;
  else if (p.employees >= 50 && p.employees <= 50_000) fit += 10;
  let stack = 0;
  for (const t of p.technologies) stack += FIT_TECHNOLOGIES.get(t) ?? 0;
  fit += Math.min(stack, 30);
  fit += p.region === "NA" ? 15 : p.region === "EMEA" ? 12 : p.region === "APAC" ? 5 : 0;
  return clamp(fit, 0, 100);
}

function independent(r: Rng, nameRng: Rng, index: number, names: Set<string>, domains: Set<string>, year: number): AccountProfile {
  const industry = INDUSTRY_TABLE.sample(r);
  const country = COUNTRY_TABLE.sample(r);
  const employees = roundEmployees(clamp(r.logNormal(380, 1.55), 10, 100_000));

  let base = "";
  let name = "";
  let suffix = "";
  for (let attempt = 0; attempt < 6; attempt++) {
    base = nameRng.pick(PREFIXES) + nameRng.pick(ROOTS);
    suffix = nameRng.pick(industry.suffixes);
    name = `${base} ${suffix}`;
    if (!names.has(name)) break;
  }
  const stem = name;
  name = unique(stem, (c) => names.has(c), (n) => `${stem} ${n}`);

  const tld = country.tld !== ".com" && r.chance(0.4)
    ? country.tld
    : industry.name === "Software" && r.chance(0.35) ? r.pick([".io", ".io", ".ai", ".dev"]) : r.pick([".com", ".com", ".com", ".co", ".net"]);
  const lower = slug(base);
  const candidates = [lower, lower + slug(suffix), `${lower}-${slug(suffix)}`];
  const label = candidates.find((c) => !domains.has(c + tld)) ?? unique(lower, (c) => domains.has(c + tld), (n) => `${lower}${n}`);
  return finish(r, { index, name, label, domain: label + tld, parentIndex: null, industry, employees, country }, [], year);
}

function subsidiaryOf(r: Rng, index: number, parent: AccountProfile, names: Set<string>, domains: Set<string>, year: number): AccountProfile {
  let country = parent.country;
  if (r.chance(0.65)) {
    for (let attempt = 0; attempt < 4 && country === parent.country; attempt++) country = COUNTRY_TABLE.sample(r);
  }
  const abroad = country !== parent.country;
  const employees = roundEmployees(Math.max(10, parent.employees * r.uniform(0.02, 0.25)));
  const qualifier = abroad ? country.label : r.pick(["Services", "Solutions", "Digital", "Labs"]);
  const first = `${parent.name} ${qualifier}`;
  const name = unique(first, (c) => names.has(c), (n) => `${first} ${n}`);
  // northbridge.de for the German arm; northbridge-services.com at home.
  const [stem, tld] = abroad && country.tld !== ".com" ? [parent.label, country.tld] : [`${parent.label}-${slug(qualifier)}`, ".com"];
  const label = unique(stem, (c) => domains.has(c + tld), (n) => `${stem}${n}`);
  const inherited = parent.technologies.filter(() => r.chance(0.75));
  return finish(r, { index, name, label, domain: label + tld, parentIndex: parent.index, industry: parent.industry, employees, country }, inherited, year);
}

interface Identity {
  index: number;
  name: string;
  label: string;
  domain: string;
  parentIndex: number | null;
  industry: Industry;
  employees: number;
  country: Country;
}

function finish(r: Rng, id: Identity, inherited: readonly string[], year: number): AccountProfile {
  const { industry, employees, country } = id;
  const annualRevenue = Math.round((employees * industry.revenuePerEmployee * r.logNormal(1, 0.35)) / 1000) * 1000;
  const { technologies, crm } = techStack(r, industry, employees, inherited);
  const attributes: DemoAttributes = {
    crm,
    funding_stage: fundingStage(r, industry, employees),
    it_budget_band: itBudgetBand(annualRevenue * r.uniform(0.025, 0.07)),
    founded_year: year - (industry.name === "Software" ? r.int(2, 25) : r.int(4, 90)),
  };
  const fit = demoFit({ industry: industry.name, employees, technologies, region: country.region });
  const tier = fit >= 60 && employees >= 1_000 ? "A" : fit >= 45 || employees >= 2_000 ? "B" : "C";
  const isTarget = r.chance(tier === "A" ? 0.95 : tier === "B" ? 0.64 : 0.38);
  const emailPattern: EmailPattern = employees < 50 && r.chance(0.4)
    ? "first"
    : r.pick(["first.last", "first.last", "first.last", "first.last", "flast", "flast", "firstl", "first_last"] as const);
  return { ...id, annualRevenue, technologies, attributes, fit, tier, isTarget, emailPattern };
}

/** Larger companies tend to be parents: the biggest of a few random earlier top-level accounts. */
function chooseParent(r: Rng, earlier: readonly AccountProfile[]): AccountProfile {
  let best: AccountProfile | undefined;
  for (let k = 0; k < 4; k++) {
    let candidate = earlier[Math.floor(r.next() * earlier.length)]!;
    if (candidate.parentIndex !== null) candidate = earlier[candidate.parentIndex]!;
    if (!best || candidate.employees > best.employees) best = candidate;
  }
  return best!;
}

function techStack(r: Rng, industry: Industry, employees: number, inherited: readonly string[]): { technologies: string[]; crm: string } {
  const size = Math.log10(employees); // 1 (10 people) … 5 (100k)
  const has = new Set(inherited);
  const is = (...names: string[]) => names.includes(industry.name);
  const add = (tech: string, p: number) => {
    if (r.chance(p)) has.add(tech);
  };

  let crm = r.chance(sigmoid(-2.4 + 0.95 * size)) ? "salesforce"
    : r.chance(0.55) ? "hubspot"
    : r.chance(0.45) ? "dynamics365"
    : r.chance(0.5) ? "pipedrive" : "none";
  if (crm === "none" && has.has("salesforce")) crm = "salesforce";
  if (crm !== "none") has.add(crm);

  if (crm !== "hubspot") add("marketo", sigmoid(-2.6 + 0.7 * size + (is("Software") ? 0.6 : 0)));
  if (crm === "salesforce" && !has.has("marketo")) add("pardot", 0.35);
  add("aws", 0.5 + (is("Software", "Media", "Retail") ? 0.15 : 0));
  add("azure", 0.3 + (is("Financial Services", "Healthcare", "Manufacturing", "Education", "Energy") ? 0.2 : 0));
  add("gcp", 0.18 + (is("Software", "Media") ? 0.12 : 0));
  add("snowflake", sigmoid(-2.8 + 0.55 * size + (is("Software", "Financial Services") ? 0.9 : 0)));
  add("bigquery", has.has("gcp") ? 0.45 : 0.03);
  add("databricks", 0.06 + (size > 3 ? 0.1 : 0));
  add("redshift", has.has("aws") ? 0.15 : 0);
  add("segment", sigmoid(-2.5 + 0.2 * size + (is("Software", "Retail", "Media") ? 1.1 : 0)));
  add("zendesk", 0.3);
  add("intercom", is("Software") ? 0.3 : 0.07);
  add("slack", is("Software", "Media") ? 0.85 : 0.45);
  add("msteams", has.has("slack") ? 0.3 : 0.85);
  add("jira", industry.engineeringHeavy ? 0.6 : 0.2);
  add("workday", size > 3.3 ? 0.55 : 0.04);
  add("netsuite", size > 2 && size < 3.5 ? 0.2 : 0.03);
  add("sap", is("Manufacturing", "Energy", "Retail") && size > 3 ? 0.55 : 0.04);
  add("tableau", 0.22);
  add("looker", has.has("gcp") ? 0.3 : 0.08);
  add("outreach", crm === "salesforce" ? 0.22 : 0.05);
  add("salesloft", 0.08);
  add("gong", 0.1 + (is("Software") ? 0.12 : 0));
  add("zoominfo", 0.18);
  add("6sense", 0.04);
  add("google-analytics", 0.65);
  return { technologies: TECHNOLOGIES.filter((t) => has.has(t)), crm };
}

function fundingStage(r: Rng, industry: Industry, employees: number): string {
  const bootstrapped = industry.name === "Software" ? "bootstrapped" : "private";
  if (employees < 50) return r.pick(["seed", "seed", "series_a", bootstrapped, bootstrapped]);
  if (employees < 250) return r.pick(["seed", "series_a", "series_a", "series_b", "series_b", bootstrapped, bootstrapped, "private_equity"]);
  if (employees < 2_000) return r.pick(["series_b", "series_c", "series_c", "growth", "growth", "private_equity", "private_equity", bootstrapped, "public"]);
  return r.pick(["public", "public", "public", "private_equity", "private_equity", "growth"]);
}

function itBudgetBand(usd: number): string {
  if (usd < 250_000) return "<250k";
  if (usd < 1_000_000) return "250k-1m";
  if (usd < 5_000_000) return "1m-5m";
  if (usd < 25_000_000) return "5m-25m";
  return "25m+";
}

function roundEmployees(n: number): number {
  const whole = Math.round(n);
  return whole >= 1_000 ? Math.round(whole / 10) * 10 : whole;
}

function slug(text: string): string {
  return text.toLowerCase().normalize("NFD").replace(/[^a-z0-9]/g, "");
}

/** `first` if it is free, else the first free numbered variant (2, 3, …). */
function unique(first: string, taken: (candidate: string) => boolean, variant: (n: number) => string): string {
  if (!taken(first)) return first;
  for (let n = 2; ; n++) {
    const candidate = variant(n);
    if (!taken(candidate)) return candidate;
  }
}
