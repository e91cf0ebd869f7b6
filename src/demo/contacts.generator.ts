import type { AccountProfile } from "./account-profiles";
import {
  type BuyingRole, type Department, FIRST_NAMES, INTERNAL_DOMAIN, INTERNAL_TITLES, LAST_NAMES, type Seniority, TITLES,
} from "./catalog";
import { clamp, rng, type Rng, Stream, Weighted } from "./random";

/** A person at a demo account (or one of our own staff working on it). */
export interface DemoContact {
  readonly email: string;
  readonly name: string;
  readonly title: string;
  readonly seniority: Seniority;
  readonly department: Department;
  readonly role: BuyingRole | null;
  readonly internal: boolean;
  /** Relative engagement propensity (1 ≈ typical); drives how many events the person causes. */
  readonly activity: number;
}

/** Roles the demo's deals need engaged: they drive both committee scores and win rates. */
export const COMMITTEE_ROLES: ReadonlySet<BuyingRole> = new Set(["DECISION_MAKER", "ECONOMIC_BUYER", "CHAMPION", "TECHNICAL_EVALUATOR"]);

const SENIORITY_BY_SIZE: readonly Weighted<Seniority>[] = [
  seniorityTable([14, 8, 14, 24, 32, 8]),
  seniorityTable([7, 10, 16, 26, 34, 7]),
  seniorityTable([4, 10, 18, 28, 34, 6]),
];

const C_LEVEL_DEPARTMENTS = new Weighted<Department>([
  ["Executive", 25], ["Finance", 20], ["Engineering", 12], ["IT", 10], ["Marketing", 12], ["Sales", 10],
  ["Operations", 6], ["Data", 3], ["Product", 3], ["Legal", 2], ["Human Resources", 2],
]);

const DEPARTMENTS_TECHNICAL = new Weighted<Department>([
  ["Engineering", 16], ["IT", 12], ["Data", 8], ["Product", 6], ["Marketing", 14], ["Sales", 12], ["Revenue Operations", 8],
  ["Customer Success", 5], ["Finance", 7], ["Operations", 6], ["Procurement", 2], ["Legal", 1.5], ["Human Resources", 2.5],
]);

const DEPARTMENTS_COMMERCIAL = new Weighted<Department>([
  ["Engineering", 5], ["IT", 14], ["Data", 7], ["Product", 3], ["Marketing", 18], ["Sales", 14], ["Revenue Operations", 10],
  ["Customer Success", 6], ["Finance", 10], ["Operations", 9], ["Procurement", 3], ["Legal", 2], ["Human Resources", 3],
]);

const TECHNICAL: ReadonlySet<Department> = new Set(["Engineering", "IT", "Data"]);
/** Departments that buy account scoring: they engage more with our marketing. */
const BUYER_PERSONAS: ReadonlySet<Department> = new Set(["Marketing", "Revenue Operations", "Sales"]);

const ROLE_ACTIVITY: Readonly<Record<BuyingRole | "NONE", number>> = {
  CHAMPION: 1.8, TECHNICAL_EVALUATOR: 1.5, DECISION_MAKER: 0.9, ECONOMIC_BUYER: 0.6, INFLUENCER: 1.1, USER: 1.0, BLOCKER: 0.4, NONE: 0.7,
};

/**
 * The contacts of one account, from its own random stream: 3–15 people (more at larger
 * companies, ~10 on average), with titles consistent with seniority and department, and
 * sometimes one or two of our own staff (internal contacts at `quorum.example`).
 */
export function generateContacts(seed: number, account: AccountProfile): DemoContact[] {
  const r = rng(seed, account.index, Stream.contacts);
  const count = clamp(Math.round(4 + 2.2 * Math.log10(account.employees) + r.normal(0, 1.8)), 3, 15);
  const seniorityTable = SENIORITY_BY_SIZE[account.employees < 100 ? 0 : account.employees <= 5_000 ? 1 : 2]!;
  const departments = account.industry.engineeringHeavy ? DEPARTMENTS_TECHNICAL : DEPARTMENTS_COMMERCIAL;
  const usedEmails = new Set<string>();
  const usedCLevel = new Set<string>();
  const contacts: DemoContact[] = [];

  for (let k = 0; k < count; k++) {
    let seniority = seniorityTable.sample(r);
    let department = seniority === "C_LEVEL" ? C_LEVEL_DEPARTMENTS.sample(r) : departments.sample(r);
    for (let attempt = 0; attempt < 4 && !TITLES[department][seniority]; attempt++) department = departments.sample(r);
    if (!TITLES[department][seniority]) department = "Operations";
    // A company has one CFO: a second executive in a department becomes its VP or director.
    if (seniority === "C_LEVEL" && usedCLevel.has(department)) seniority = TITLES[department].VP ? "VP" : "DIRECTOR";
    if (seniority === "C_LEVEL") usedCLevel.add(department);
    if (!TITLES[department][seniority]) department = "Operations";
    const title = r.pick(TITLES[department][seniority]!);
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const email = uniqueEmail(localPart(account.emailPattern, first, last), account.domain, usedEmails);
    const role = buyingRole(r, seniority, department);
    const dormant = r.chance(0.15) ? 0.1 : 1;
    const persona = BUYER_PERSONAS.has(department) ? 1.3 : 1;
    const activity = ROLE_ACTIVITY[role ?? "NONE"] * persona * dormant * r.logNormal(1, 0.6);
    contacts.push({ email, name: `${first} ${last}`, title, seniority, department, role, internal: false, activity });
  }

  const internalShare = account.tier === "A" ? 0.6 : account.tier === "B" ? 0.3 : 0.08;
  const internal = r.chance(internalShare) ? (account.tier === "A" && r.chance(0.3) ? 2 : 1) : 0;
  for (let k = 0; k < internal; k++) {
    const [title, department, seniority] = k === 0 ? r.pick(INTERNAL_TITLES.slice(0, 2)) : INTERNAL_TITLES[3]!;
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    // Plus-addressing per account keeps one rep's address unique across the accounts they cover.
    const email = uniqueEmail(`${ascii(first)}.${ascii(last)}+${account.domain}`, INTERNAL_DOMAIN, usedEmails);
    contacts.push({ email, name: `${first} ${last}`, title, seniority, department, role: null, internal: true, activity: 1 });
  }
  return contacts;
}

function buyingRole(r: Rng, seniority: Seniority, department: Department): BuyingRole | null {
  const x = r.next();
  const technical = TECHNICAL.has(department);
  if (department === "Procurement" || department === "Legal") return x < 0.35 ? "BLOCKER" : x < 0.5 ? "INFLUENCER" : null;
  switch (seniority) {
    case "C_LEVEL":
      if (department === "Finance") return x < 0.75 ? "ECONOMIC_BUYER" : null;
      return x < 0.6 ? "DECISION_MAKER" : x < 0.7 ? "ECONOMIC_BUYER" : null;
    case "VP":
      if (department === "Finance") return x < 0.6 ? "ECONOMIC_BUYER" : null;
      return x < 0.45 ? "DECISION_MAKER" : x < 0.65 ? "CHAMPION" : x < 0.8 ? "INFLUENCER" : null;
    case "DIRECTOR":
      if (technical) return x < 0.15 ? "DECISION_MAKER" : x < 0.5 ? "TECHNICAL_EVALUATOR" : x < 0.65 ? "INFLUENCER" : null;
      return x < 0.2 ? "DECISION_MAKER" : x < (BUYER_PERSONAS.has(department) ? 0.6 : 0.4) ? "CHAMPION" : x < 0.7 ? "INFLUENCER" : null;
    case "MANAGER":
      if (technical) return x < 0.4 ? "TECHNICAL_EVALUATOR" : x < 0.55 ? "INFLUENCER" : x < 0.65 ? "USER" : null;
      return x < (BUYER_PERSONAS.has(department) ? 0.35 : 0.15) ? "CHAMPION" : x < 0.5 ? "INFLUENCER" : x < 0.6 ? "USER" : null;
    case "INDIVIDUAL_CONTRIBUTOR":
      if (technical) return x < 0.3 ? "TECHNICAL_EVALUATOR" : x < 0.55 ? "USER" : null;
      return x < (BUYER_PERSONAS.has(department) ? 0.4 : 0.2) ? "USER" : x < 0.5 ? "INFLUENCER" : null;
    case "OTHER":
      return x < 0.1 ? "INFLUENCER" : null;
  }
}

function localPart(pattern: string, first: string, last: string): string {
  const f = ascii(first);
  const l = ascii(last);
  switch (pattern) {
    case "flast": return f[0] + l;
    case "first": return f;
    case "firstl": return f + l[0];
    case "first_last": return `${f}_${l}`;
    default: return `${f}.${l}`;
  }
}

function uniqueEmail(local: string, domain: string, used: Set<string>): string {
  let email = `${local}@${domain}`;
  for (let n = 2; used.has(email); n++) email = `${local}${n}@${domain}`;
  used.add(email);
  return email;
}

function ascii(name: string): string {
  return name.toLowerCase().replace(/[^a-z]/g, "");
}

function seniorityTable(weights: readonly number[]): Weighted<Seniority> {
  const levels: Seniority[] = ["C_LEVEL", "VP", "DIRECTOR", "MANAGER", "INDIVIDUAL_CONTRIBUTOR", "OTHER"];
  return new Weighted(levels.map((s, i) => [s, weights[i]!] as const));
}
