import type { PoolClient } from "pg";
import { recordDataSource } from "../ingest/data-sources.service";
import type { Database } from "../platform/db/database";
import { BadInputError, ConflictError } from "../platform/errors/errors";
import { type AccountProfile, generateAccountProfiles } from "./account-profiles";
import { type AccountActivity, generateActivity } from "./activity.generator";
import { INTERNAL_DOMAIN } from "./catalog";
import { type DemoContact, generateContacts } from "./contacts.generator";
import { copyArray, copyRows, copyValue, NULL, TimestampFormatter } from "./copy-text";
import { DeferredConstraints } from "./deferred-constraints";

/** What to load. */
export interface DemoOptions {
  /** Number of accounts (contacts ≈ 10×, events ≈ 100×). */
  accounts: number;
  /** Same seed, account count and `now` → identical database contents. */
  seed: number;
  /** Reference time: all activity lies in the year before it. Defaults to the current time. */
  now?: Date;
  /**
   * Called as work proceeds. Stages in order: `accounts`, `activity` (done = accounts whose
   * contacts, events, intent and deals are written), `last-engaged`, `indexes` (rebuilding
   * what the load deferred; skipped when it could not defer them), `analyze`. Throwing
   * from it aborts the load, which then leaves nothing behind.
   */
  onProgress?: (done: number, total: number, stage: string) => void;
}

/** Rows written, by table and deal outcome, and the wall time the load took. */
export interface DemoSummary {
  accounts: number;
  /** Including internal contacts (our own staff). */
  contacts: number;
  events: number;
  intentSignals: number;
  deals: number;
  wonDeals: number;
  lostDeals: number;
  openDeals: number;
  seconds: number;
}

/** The tables the demo fills, in foreign-key order. */
const TABLES = ["accounts", "contacts", "engagement_events", "intent_signals", "deals"] as const;
type Table = (typeof TABLES)[number];

const COLUMNS: Readonly<Record<Table, readonly string[]>> = {
  accounts: ["id", "domain", "name", "parent_id", "parent_domain", "industry", "employees", "annual_revenue", "country", "region",
    "technologies", "attributes", "tier", "is_target", "created_at", "updated_at"],
  contacts: ["id", "account_id", "email", "email_domain", "account_domain", "name", "title", "seniority", "department", "role",
    "is_internal", "created_at", "updated_at"],
  engagement_events: ["id", "external_id", "account_id", "contact_id", "type", "channel", "asset", "occurred_at", "source",
    "contact_email", "account_domain", "is_bot", "bot_reason", "created_at"],
  intent_signals: ["id", "account_id", "account_domain", "topic", "strength", "observed_at", "source", "created_at"],
  deals: ["id", "external_id", "account_id", "account_domain", "name", "amount", "stage", "outcome", "created_at", "closed_at",
    "ingested_at", "updated_at"],
};

/** Accounts generated and written per round of COPY statements; bounds memory at any size. */
const CHUNK_ACCOUNTS = 1_000;
const MAX_ACCOUNTS = 1_000_000;

/**
 * Loads a deterministic demo data set into an empty, migrated database.
 *
 * Everything is written with COPY in one transaction, so a failure leaves the database as it
 * was. Rows are generated per account from `rng(seed, accountIndex)` and streamed in chunks,
 * so memory stays flat at any size. Ids are assigned here (continuing each table's identity
 * sequence), which makes a load into a fresh database reproducible down to the ids.
 * Refuses with a CONFLICT error when the accounts table already holds rows.
 */
export async function loadDemo(db: Database, opts: DemoOptions): Promise<DemoSummary> {
  if (!Number.isInteger(opts.accounts) || opts.accounts < 1 || opts.accounts > MAX_ACCOUNTS) {
    throw new BadInputError(`The demo needs a whole number of accounts from 1 to ${MAX_ACCOUNTS} (got ${opts.accounts})`);
  }
  if (!Number.isInteger(opts.seed)) throw new BadInputError(`The demo seed must be a whole number (got ${opts.seed})`);
  const startedAt = performance.now();
  const counts = await db.tx((client) => new DemoLoad(client, opts).run());
  await recordDataSource(db, "demo", ["accounts", "contacts", "events", "intent", "deals"]);
  return { ...counts, seconds: Math.round((performance.now() - startedAt) / 10) / 100 };
}

type Counts = Omit<DemoSummary, "seconds">;

class DemoLoad {
  private readonly seed: number;
  private readonly total: number;
  private readonly now: number;
  private readonly nowText: string;
  private readonly ts = new TimestampFormatter();
  private readonly progress: (done: number, total: number, stage: string) => void;
  private readonly counts: Counts = { accounts: 0, contacts: 0, events: 0, intentSignals: 0, deals: 0, wonDeals: 0, lostDeals: 0, openDeals: 0 };
  /** Last id used so far, per table: starts at the table's identity sequence. */
  private readonly lastId = {} as Record<Table, number>;
  /** Account `i` gets id `accountBase + i + 1`. */
  private accountBase = 0;
  private profiles: AccountProfile[] = [];

  constructor(private readonly client: PoolClient, opts: DemoOptions) {
    this.seed = opts.seed;
    this.total = opts.accounts;
    const now = opts.now ?? new Date();
    this.now = Math.floor(now.getTime() / 1000);
    this.nowText = this.ts.format(this.now);
    this.progress = opts.onProgress ?? (() => undefined);
  }

  async run(): Promise<Counts> {
    const { client } = this;
    // A 10M-event load outlasts any request-sized statement timeout.
    await client.query("SET LOCAL statement_timeout = 0");
    await client.query("SET LOCAL lock_timeout = '30s'");
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    // Until commit, no other session writes these tables (nor loads a second demo); when we
    // may defer indexes and keys, nobody reads them either.
    const fast = await DeferredConstraints.allowed(client, TABLES);
    await client.query(`LOCK TABLE ${TABLES.join(", ")} IN ${fast ? "ACCESS EXCLUSIVE" : "SHARE ROW EXCLUSIVE"} MODE`);
    const { rows } = await client.query<{ taken: boolean }>("SELECT EXISTS (SELECT 1 FROM accounts) AS taken");
    if (rows[0]!.taken) {
      throw new ConflictError("The demo data set loads only into an empty database, and the accounts table already has rows. Use a fresh database.");
    }
    const deferred = fast ? await DeferredConstraints.drop(client, TABLES) : null;
    for (const table of TABLES) this.lastId[table] = await this.sequenceValue(table);
    const firstIds = { ...this.lastId };
    this.accountBase = this.lastId.accounts;

    this.progress(0, this.total, "accounts");
    this.profiles = generateAccountProfiles(this.seed, this.total, new Date(this.now * 1000));
    await copyRows(client, "accounts", COLUMNS.accounts, this.accountRows());
    this.counts.accounts = this.total;
    this.progress(this.total, this.total, "accounts");

    this.progress(0, this.total, "activity");
    for (let from = 0; from < this.total; from += CHUNK_ACCOUNTS) {
      await this.loadChunk(this.profiles.slice(from, from + CHUNK_ACCOUNTS));
      this.progress(Math.min(from + CHUNK_ACCOUNTS, this.total), this.total, "activity");
    }

    this.progress(0, 1, "last-engaged");
    // The same rule as ingest keeps: the newest event that is not bot traffic.
    await client.query(`
      UPDATE accounts a SET last_engaged_at = e.last_at
      FROM (SELECT account_id, max(occurred_at) AS last_at FROM engagement_events WHERE NOT is_bot GROUP BY account_id) e
      WHERE a.id = e.account_id`);
    this.progress(1, 1, "last-engaged");

    if (deferred) {
      this.progress(0, deferred.count, "indexes");
      await deferred.restore(client, (done) => this.progress(done, deferred.count, "indexes"));
    }

    this.progress(0, TABLES.length, "analyze");
    for (const [i, table] of TABLES.entries()) {
      await client.query(`ANALYZE ${table}`);
      this.progress(i + 1, TABLES.length, "analyze");
    }
    // Later inserts continue after our ids. Last, because a rollback does not undo setval.
    for (const table of TABLES) {
      if (this.lastId[table] > firstIds[table]) await this.setSequence(table, this.lastId[table]);
    }
    return this.counts;
  }

  /** Contacts first (events reference them), then events — which decide deals and intent — then those. */
  private async loadChunk(chunk: readonly AccountProfile[]): Promise<void> {
    const people = chunk.map((account) => generateContacts(this.seed, account));
    const firstContactIds: number[] = [];
    await copyRows(this.client, "contacts", COLUMNS.contacts, this.contactRows(chunk, people, firstContactIds));
    const activities: AccountActivity[] = [];
    await copyRows(this.client, "engagement_events", COLUMNS.engagement_events, this.eventRows(chunk, people, firstContactIds, activities));
    await copyRows(this.client, "intent_signals", COLUMNS.intent_signals, this.intentRows(chunk, activities));
    await copyRows(this.client, "deals", COLUMNS.deals, this.dealRows(chunk, activities));
  }

  private *accountRows(): Generator<string> {
    const now = this.nowText;
    const base = this.accountBase;
    for (const a of this.profiles) {
      const parent = a.parentIndex === null ? null : this.profiles[a.parentIndex]!;
      yield `${base + a.index + 1}\t${a.domain}\t${copyValue(a.name)}\t${parent ? base + parent.index + 1 : NULL}\t${parent ? parent.domain : NULL}\t`
        + `${a.industry.name}\t${a.employees}\t${a.annualRevenue}\t${a.country.name}\t${a.country.region}\t${copyArray(a.technologies)}\t`
        + `${copyValue(JSON.stringify(a.attributes))}\t${a.tier}\t${a.isTarget ? "t" : "f"}\t${now}\t${now}\n`;
    }
    this.lastId.accounts = base + this.profiles.length;
  }

  private *contactRows(chunk: readonly AccountProfile[], people: readonly DemoContact[][], firstIds: number[]): Generator<string> {
    const now = this.nowText;
    for (const [k, account] of chunk.entries()) {
      const accountId = this.accountId(account);
      firstIds.push(this.lastId.contacts + 1);
      for (const c of people[k]!) {
        const id = ++this.lastId.contacts;
        // account_domain is the domain a contact stitches by (see the ingest migration): its
        // email's, or for our staff the accountDomain naming the account they work on.
        const emailDomain = c.internal ? INTERNAL_DOMAIN : account.domain;
        yield `${id}\t${accountId}\t${c.email}\t${emailDomain}\t${account.domain}\t${copyValue(c.name)}\t${copyValue(c.title)}\t`
          + `${c.seniority}\t${c.department}\t${c.role ?? NULL}\t${c.internal ? "t" : "f"}\t${now}\t${now}\n`;
      }
      this.counts.contacts += people[k]!.length;
    }
  }

  private *eventRows(
    chunk: readonly AccountProfile[], people: readonly DemoContact[][], firstContactIds: readonly number[], activities: AccountActivity[],
  ): Generator<string> {
    const now = this.nowText;
    for (const [k, account] of chunk.entries()) {
      const contacts = people[k]!;
      const activity = generateActivity(this.seed, account, contacts, this.now);
      activities.push(activity);
      const accountId = this.accountId(account);
      const prefix = `\tdemo-ev-${account.index}-`;
      const firstContactId = firstContactIds[k]!;
      let n = 0;
      for (const e of activity.events) {
        const id = ++this.lastId.engagement_events;
        // An event stitches by its email's domain, never by an internal one; anonymous visits by the resolved domain.
        const contact = e.contact >= 0 ? contacts[e.contact]! : null;
        const who = contact
          ? `${firstContactId + e.contact}\t${e.type}\t${e.channel}\t${e.asset}\t${this.ts.format(e.t)}\t${e.source}\t${contact.email}\t${contact.internal ? NULL : account.domain}`
          : `${NULL}\t${e.type}\t${e.channel}\t${e.asset}\t${this.ts.format(e.t)}\t${e.source}\t${NULL}\t${account.domain}`;
        yield `${id}${prefix}${n++}\t${accountId}\t${who}\t${e.botReason === null ? `f\t${NULL}` : `t\t${e.botReason}`}\t${now}\n`;
      }
      this.counts.events += n;
    }
  }

  private *intentRows(chunk: readonly AccountProfile[], activities: readonly AccountActivity[]): Generator<string> {
    const now = this.nowText;
    for (const [k, account] of chunk.entries()) {
      const accountId = this.accountId(account);
      for (const s of activities[k]!.intent) {
        yield `${++this.lastId.intent_signals}\t${accountId}\t${account.domain}\t${s.topic}\t${s.strength}\t${this.ts.format(s.t)}\t${s.source}\t${now}\n`;
      }
      this.counts.intentSignals += activities[k]!.intent.length;
    }
  }

  private *dealRows(chunk: readonly AccountProfile[], activities: readonly AccountActivity[]): Generator<string> {
    const now = this.nowText;
    for (const [k, account] of chunk.entries()) {
      const accountId = this.accountId(account);
      for (const [n, d] of activities[k]!.deals.entries()) {
        yield `${++this.lastId.deals}\tdemo-deal-${account.index}-${n}\t${accountId}\t${account.domain}\t${copyValue(d.name)}\t${d.amount}\t`
          + `${d.stage}\t${d.outcome}\t${this.ts.format(d.created)}\t${d.closed === null ? NULL : this.ts.format(d.closed)}\t${now}\t${now}\n`;
        this.counts.deals++;
        if (d.outcome === "WON") this.counts.wonDeals++;
        else if (d.outcome === "LOST") this.counts.lostDeals++;
        else this.counts.openDeals++;
      }
    }
  }

  private accountId(account: AccountProfile): number {
    return this.accountBase + account.index + 1;
  }

  /** The identity sequence's last value (0 if never used): our ids continue after it. */
  private async sequenceValue(table: Table): Promise<number> {
    const { rows } = await this.client.query<{ value: string | null }>(
      "SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass) AS value", [table]);
    return rows[0]!.value === null ? 0 : Number(rows[0]!.value);
  }

  private async setSequence(table: Table, value: number): Promise<void> {
    await this.client.query("SELECT setval(pg_get_serial_sequence($1, 'id'), $2)", [table, value]);
  }
}
