import { fitExpressions, fitSource, globToLike, SqlParams } from "./fit-rules.sql";
import type { ModelDefinition } from "./model.types";

/** One statement of a run, with a name for progress output. */
export interface EngineStep {
  readonly stage: string;
  readonly sql: string;
  readonly params: unknown[];
  /** Which count the statement's row count is. */
  readonly counts?: "accounts" | "contacts" | "transitions";
}

export interface EngineRun {
  readonly runId: string;
  readonly modelId: string;
  readonly asOf: Date;
  /**
   * What transitions compare with: each account's own previous snapshot of the line, found in
   * `current_scores` under `modelId` (the line's ACTIVE version when the run started — for an
   * activation run the version being replaced), or in the history when that row is not older
   * than this run (a backfill). Null: the line has no earlier snapshot.
   */
  readonly previous: { readonly modelId: string; readonly line: string } | null;
  /**
   * Only these accounts (an INCREMENTAL run): `accounts` is a table of `account_id`s to score,
   * `members` the same accounts plus, when the model rolls up, their descendants, whose events
   * the roll-up needs. Every other account is left alone; the arithmetic is the same as a
   * full run's, so the numbers are too.
   */
  readonly scope?: { readonly accounts: string; readonly members: string; readonly few: boolean } | null;
  /**
   * How a transition's cause is decided when the version did not change: `"all"`, every account
   * had new facts (an incremental run scores only those); or the line whose `score_queue` rows
   * still pending mark the accounts with facts newer than their previous snapshot (EVENTS);
   * the others moved by time alone (DECAY).
   */
  readonly touched?: "all" | { readonly line: string };
  /** The activation run of a version: every transition's cause is MODEL_CHANGE. */
  readonly activation?: boolean;
  /**
   * Where the snapshots go: the run's own partitions (created and attached by the caller), or
   * by default the partitioned `account_scores` / `contact_scores` themselves.
   */
  readonly tables?: { readonly accounts: string; readonly contacts: string };
  /**
   * Account snapshots only — no lead scores, no transitions: a what-if score that is read and
   * rolled back (a KPI report's band at `from`) must not compute or compare anything else.
   */
  readonly accountsOnly?: boolean;
}

/**
 * A set of (account, instant) pairs to evaluate a model at, instead of every account at one
 * instant: a table (usually a TEMP table of the caller's transaction) with the columns
 * `target_id bigint` (unique), `account_id bigint` and `as_of timestamptz`. The training set
 * uses one target per closed deal, as of the deal's creation.
 */
export interface EngineTargets {
  readonly table: string;
}

/**
 * The TEMP table `targetSteps` leaves behind (dropped at commit): per target, what a run would
 * store (`total`, components, `band`, `grade`, `status`, `engaged_contacts`, `contributions`)
 * plus `parts`, each criterion's value before weights and clamping, in `definition.criteria`
 * order: a fit rule's points when it matched, an engagement or intent rule's decayed, capped
 * (and rolled-up) points, a committee role's points, the breadth bonus.
 */
export const TARGET_SCORES_TABLE = "_sc_target_scores";

/** Which facts a pass sees: every account as of T (a run), or each target row as of its own as-of. */
type Scope = { readonly kind: "run"; readonly asOf: Date; readonly scope?: EngineRun["scope"] } | { readonly kind: "targets"; readonly table: string };

const MS_PER_DAY = 86_400_000;
const SECONDS_PER_DAY = 86_400;
const LN2 = Math.LN2;

/**
 * The SQL of one scoring run (DESIGN §3), as a few set-based statements over temporary tables
 * that live until the run's transaction ends:
 *
 * 1.–2. `_sc_ct` — one parallel pass over the events within the longest lookback: per
 *    (account, contact), each engagement rule's decayed points `Σ points × 0.5^(ageDays /
 *    halfLifeDays)`, written `points × exp((t − T) × ln2 / halfLife)`; then, joined with
 *    contacts, times the contact's role multiplier and capped per contact and rule, the sums of
 *    the positive and negative capped values, the contact's engagement (`clamp(Σ, 0, 100)` as
 *    real) and whether it is engaged (≥ engagedThreshold and > 0). Bot/prefetch events,
 *    internal contacts and facts after T never count. Events without a contact form one
 *    anonymous bucket per account. (Target passes build `_sc_ev` first.)
 * 3. `_sc_ae` — per account: each rule's per-contact values summed and capped per account;
 *    engaged contacts and which required roles have one.
 * 4. `_sc_in` — intent per account and rule, decayed and capped.
 * 5. `_sc_acc` — one row per account with any of those, SUM/MAX roll-up applied.
 * 6. INSERT account_scores — fit rules compiled to CASE expressions, components clamped with
 *    their contributions scaled to the clamp (see `clampParts`), total, band, grade, status.
 * 7. INSERT contact_scores — lead fit per profile (`_sc_pf`) plus the contact's own
 *    engagement, for every contact with counted engagement in the window.
 * 8. INSERT band_transitions — against the line's previous snapshot.
 *
 * Every decision (band, grade, status, engaged) is taken on the values as stored (real), so
 * what a client reads always agrees with the band and status it sees.
 */
export function engineSteps(def: ModelDefinition, run: EngineRun): EngineStep[] {
  const T = run.asOf;
  const R = def.engagementRules.length;
  const ruleIdx = [...Array(R).keys()];
  const steps = inputSteps(def, { kind: "run", asOf: T, scope: run.scope ?? null });
  const tables = run.tables ?? { accounts: "account_scores", contacts: "contact_scores" };

  // 6. account scores ---------------------------------------------------------------------
  {
    const p = new SqlParams();
    const s = scoreLayers(def, { kind: "run", asOf: T, scope: run.scope ?? null }, p);
    steps.push({
      stage: "scores",
      counts: "accounts",
      params: p.values,
      sql: `INSERT INTO ${tables.accounts} (run_id, account_id, model_id, as_of, total, fit, engagement, intent, committee, band, grade, status, engaged_contacts, contributions)
        SELECT ${p.add(run.runId, "bigint")}, account_id, ${p.add(run.modelId, "bigint")}, ${p.add(T, "timestamptz")},
               total, fit, engagement, intent, committee, ${bandSql(def, "total", p)}, ${gradeSql("fit", "engagement")}, ${s.status}, engaged_contacts, contributions
          FROM (SELECT account_id, dq, engaged_contacts, F_v::real AS fit, E_v::real AS engagement, I_v::real AS intent, C_v::real AS committee,
                       least(greatest(${s.total}, 0), 100)::real AS total,
                       ARRAY[${s.contributions.join(", ") || ""}]::real[] AS contributions
                  FROM (${s.layers}) s OFFSET 0) x`,
    });
  }

  // The run's own partition has no statistics (nor indexes) yet: the next steps join it.
  if (tables.accounts !== "account_scores") steps.push({ stage: "scores", params: [], sql: `ANALYZE ${tables.accounts}` });

  if (run.accountsOnly) return steps;

  // 7. lead scores ------------------------------------------------------------------------
  // Lead fit depends only on a contact's title, seniority, department and role. The event pass
  // tagged each contact with a 64-bit hash of that profile; fit, its clamp and its weighted
  // contributions are computed once per profile (on one representative contact's fields) into
  // `_sc_pf` and joined back, so per contact only its engagement is clamped, with the sums the
  // event pass kept. Unclamped (the usual case), a part's contribution is weight × part.
  {
    const lr = def.leadRules;
    const pf = new SqlParams();
    const fit = fitExpressions(lr.fitRules, "contact", "c", pf);
    const fParts = lr.fitRules.map((_, i) => `f${i}`);
    const wFit = fParts.length ? pf.add(lr.weights.fit, "float8") : "";
    steps.push({
      stage: "leads",
      params: pf.values,
      sql: `CREATE TEMP TABLE _sc_pf ON COMMIT DROP AS
        SELECT profile_hash, F_v AS pf_fit, dq AS pf_dq, ${scaledParts(wFit, fParts, "F")} AS pf_contributions
          FROM (${clampLayers({ F: fParts }, `SELECT r.profile_hash${fit.points.map((x, i) => `, ${x} AS f${i}`).join("")}, ${fit.disqualified} AS dq
                  FROM (SELECT profile_hash, min(contact_id) AS contact_id FROM _sc_ct WHERE contact_id IS NOT NULL GROUP BY profile_hash) r
                  JOIN contacts c ON c.id = r.contact_id`, { F: lr.fitRules.map((r) => Math.sign(r.points)) })}) l`,
    });
    steps.push({ stage: "leads", params: [], sql: "ANALYZE _sc_pf" });

    const p = new SqlParams();
    const wF = p.add(lr.weights.fit, "float8");
    const wE = p.add(lr.weights.engagement, "float8");
    const t = lr.thresholds;
    const runId = p.add(run.runId, "bigint");
    const asOf = p.add(T, "timestamptz");
    steps.push({
      stage: "leads",
      counts: "contacts",
      params: p.values,
      sql: `INSERT INTO ${tables.contacts} (run_id, contact_id, account_id, model_id, as_of, total, fit, engagement, status, contributions)
        SELECT ${runId}, contact_id, account_id, ${p.add(run.modelId, "bigint")}, ${asOf}, total, fit, engagement,
               CASE WHEN dq THEN 'DISQUALIFIED'
                    WHEN total >= ${p.add(t.sql, "float8")} AND fit >= ${p.add(t.minFit, "float8")} THEN 'SQL'
                    WHEN total >= ${p.add(t.mql, "float8")} AND fit >= ${p.add(t.minFit, "float8")} THEN 'MQL'
                    WHEN total >= ${p.add(t.nurture, "float8")} THEN 'NURTURE' ELSE 'UNQUALIFIED' END,
               contributions
          FROM (SELECT contact_id, account_id, dq, pf_fit::real AS fit, engagement,
                       least(greatest(${wF} * pf_fit + ${wE} * E_v, 0), 100)::real AS total,
                       pf_contributions || ${scaledParts(wE, ruleIdx.map((i) => `c${i}`), "E")} AS contributions
                  FROM (SELECT ct.*, pf.pf_fit, pf.pf_contributions, (pf.pf_dq OR s.account_id IS NOT NULL) AS dq,
                               least(greatest(ct.e_pos - ct.e_neg, 0), 100) AS E_v,
                               CASE WHEN ct.e_pos - ct.e_neg > 100 THEN (100 + ct.e_neg) / ct.e_pos ELSE 1 END AS E_kp,
                               CASE WHEN ct.e_pos - ct.e_neg < 0 THEN ct.e_pos / ct.e_neg ELSE 1 END AS E_kn
                          FROM (SELECT contact_id, contact_account_id AS account_id, profile_hash, engagement, e_pos, e_neg${ruleIdx.map((i) => `, c${i}`).join("")}
                                  FROM _sc_ct WHERE contact_id IS NOT NULL
                                  ${run.scope ? `AND contact_account_id IN (SELECT account_id FROM ${run.scope.accounts})` : ""}) ct
                          JOIN _sc_pf pf ON pf.profile_hash = ct.profile_hash
                          LEFT JOIN (SELECT account_id FROM ${tables.accounts} WHERE run_id = ${runId} AND as_of = ${asOf} AND status = 'DISQUALIFIED') s
                            ON s.account_id = ct.account_id
                        OFFSET 0) l OFFSET 0) x`,
    });
  }

  // Reads look contact snapshots up by key in this partition: it needs statistics too.
  if (tables.contacts !== "contact_scores") steps.push({ stage: "leads", params: [], sql: `ANALYZE ${tables.contacts}` });

  // 8. transitions ------------------------------------------------------------------------
  steps.push(transitionsStep(def, run, tables.accounts));
  return steps;
}

/**
 * The model evaluated for a set of (account, as-of) targets instead of every account at one
 * instant (see `EngineTargets`): steps 1–6 of a run, each target seeing only the facts at or
 * before its own as-of, with the same rules, decay, caps, roll-up, clamping, band and status.
 * Writes nothing: the last step leaves `TARGET_SCORES_TABLE`. Run the steps in one
 * transaction (their temp tables drop at commit) after creating the targets table.
 *
 * A target at T gets exactly the numbers a run as of T stores for that account. Fit rules test
 * the account's fields as they are now: accounts keep no history of their firmographics.
 */
export function targetSteps(def: ModelDefinition, targets: EngineTargets): EngineStep[] {
  const scope: Scope = { kind: "targets", table: targets.table };
  const steps = inputSteps(def, scope);
  const p = new SqlParams();
  const s = scoreLayers(def, scope, p);
  steps.push({
    stage: "scores",
    counts: "accounts",
    params: p.values,
    sql: `CREATE TEMP TABLE ${TARGET_SCORES_TABLE} ON COMMIT DROP AS
      SELECT target_id, account_id, total, fit, engagement, intent, committee, ${bandSql(def, "total", p)} AS band, ${gradeSql("fit", "engagement")} AS grade,
             ${s.status} AS status, engaged_contacts, contributions, parts
        FROM (SELECT target_id, account_id, dq, engaged_contacts, F_v::real AS fit, E_v::real AS engagement, I_v::real AS intent, C_v::real AS committee,
                     least(greatest(${s.total}, 0), 100)::real AS total,
                     ARRAY[${s.contributions.join(", ") || ""}]::real[] AS contributions,
                     ARRAY[${s.parts.join(", ")}]::float8[] AS parts
                FROM (${s.layers}) s OFFSET 0) x`,
  });
  return steps;
}

/**
 * Steps 1–5 of a pass (events, contacts, account engagement and committee, intent, their
 * combination), shared by runs and target passes: only where the as-of comes from and what
 * the rows are keyed by differ.
 */
function inputSteps(def: ModelDefinition, scope: Scope): EngineStep[] {
  const R = def.engagementRules.length;
  const I = def.intentRules.length;
  const ruleIdx = [...Array(R).keys()];
  const steps: EngineStep[] = [];
  /** Targets carry their key through every temp table. */
  const tk = scope.kind === "targets" ? "target_id, " : "";

  /** Runs only: the event pass as a subquery that step 2 reads directly (no `_sc_ev` table). */
  let runEvents: { sql: string; p: SqlParams } | null = null;

  // 1. events ---------------------------------------------------------------------------
  {
    const p = new SqlParams();
    if (R === 0) {
      steps.push({ stage: "events", params: [], sql: `CREATE TEMP TABLE _sc_ev ON COMMIT DROP AS SELECT ${tk && "NULL::bigint AS target_id, "}NULL::bigint AS account_id, NULL::bigint AS contact_id WHERE false` });
    } else if (scope.kind === "run") {
      // Each event type maps to one flag per rule, true when the rule counts it (a tiny hash
      // join, one row per event); each rule's sum filters on its flag. Decay is computed only
      // for the rules an event feeds. A rule's own lookback and asset pattern are tested only
      // when they narrow the scan's window.
      const T = scope.asOf;
      const since = def.engagementRules.map((r) => new Date(T.getTime() - r.lookbackDays * MS_PER_DAY));
      const minSince = new Date(Math.min(...since.map((d) => d.getTime())));
      const types = [...new Set(def.engagementRules.flatMap((r) => r.eventTypes))];
      const tEpoch = p.add(T.getTime() / 1000, "float8");
      const sums = def.engagementRules.map((r, i) => {
        const tests = [`m.r${i}`];
        if (since[i]!.getTime() > minSince.getTime()) tests.push(`e.occurred_at >= ${p.add(since[i], "timestamptz")}`);
        if (r.assetPattern) tests.push(`lower(e.asset) LIKE ${p.add(globToLike(r.assetPattern), "text")}`);
        const rate = p.add(LN2 / (r.halfLifeDays * SECONDS_PER_DAY), "float8");
        return `COALESCE(sum(${p.add(r.points, "float8")} * exp((date_part('epoch', e.occurred_at) - ${tEpoch}) * ${rate})) FILTER (WHERE ${tests.join(" AND ")}), 0) AS s${i}`;
      });
      runEvents = {
        p,
        sql: `SELECT e.account_id, e.contact_id, ${sums.join(", ")}
            FROM ${!scope.scope ? "engagement_events e"
              // A few accounts: each one's window through the (account_id, occurred_at) index;
              // many: one scan of the window, as a full run does.
              : scope.scope.few
                ? `${scope.scope.members} sm CROSS JOIN LATERAL (SELECT * FROM engagement_events e0 WHERE e0.account_id = sm.account_id
                     AND e0.occurred_at <= ${p.add(T, "timestamptz")} AND e0.occurred_at >= ${p.add(minSince, "timestamptz")} OFFSET 0) e`
                : `engagement_events e JOIN ${scope.scope.members} sm ON sm.account_id = e.account_id`}
            JOIN unnest(${p.add(types, "text[]")}, ${def.engagementRules.map((r) => p.add(types.map((t) => r.eventTypes.includes(t)), "boolean[]")).join(", ")})
                 AS m(type, ${ruleIdx.map((i) => `r${i}`).join(", ")}) ON m.type = e.type
           WHERE e.occurred_at <= ${p.add(T, "timestamptz")} AND e.occurred_at >= ${p.add(minSince, "timestamptz")}
             AND e.account_id IS NOT NULL AND NOT e.is_bot
           GROUP BY e.account_id, e.contact_id`,
      };
    } else {
      // The same sums, each target's events (and, with roll-up, its subsidiaries') as of its own as-of.
      steps.push({ stage: "events", params: [], sql: targetMembersSql(scope.table, def.rollup !== "NONE") });
      const rows = def.engagementRules.flatMap((r, i) => r.eventTypes.map((type) => ({
        type, rule: i, points: r.points, rate: LN2 / (r.halfLifeDays * 86_400), lookback: r.lookbackDays * SECONDS_PER_DAY,
        asset: r.assetPattern ? globToLike(r.assetPattern) : null,
      })));
      const maxLookback = p.add(Math.max(...rows.map((r) => r.lookback)), "float8");
      const rules = `unnest(${p.add(rows.map((r) => r.type), "text[]")}, ${p.add(rows.map((r) => r.rule), "int[]")}, ${p.add(rows.map((r) => r.points), "float8[]")},
        ${p.add(rows.map((r) => r.rate), "float8[]")}, ${p.add(rows.map((r) => r.lookback), "float8[]")}, ${p.add(rows.map((r) => r.asset), "text[]")})
        AS r(type, rule, points, rate, lookback, asset_like)`;
      const sums = ruleIdx.map((i) => `COALESCE(sum(r.points * exp((date_part('epoch', e.occurred_at) - date_part('epoch', t.as_of)) * r.rate)) FILTER (WHERE r.rule = ${i}), 0) AS s${i}`);
      const assetTest = rows.some((r) => r.asset !== null) ? "AND (r.asset_like IS NULL OR lower(e.asset) LIKE r.asset_like)" : "";
      steps.push({
        stage: "events",
        params: p.values,
        sql: `CREATE TEMP TABLE _sc_ev ON COMMIT DROP AS
          SELECT t.target_id, e.account_id, e.contact_id, ${sums.join(", ")}
            FROM _sc_tm t
            JOIN engagement_events e ON e.account_id = t.member_id AND e.occurred_at <= t.as_of AND e.occurred_at >= t.as_of - make_interval(secs => ${maxLookback})
            JOIN ${rules} ON r.type = e.type
           WHERE NOT e.is_bot
             AND e.occurred_at >= t.as_of - make_interval(secs => r.lookback) ${assetTest}
           GROUP BY t.target_id, e.account_id, e.contact_id`,
      });
    }
  }

  if (!runEvents) steps.push({ stage: "events", params: [], sql: "ANALYZE _sc_ev" });

  // 2. contacts -------------------------------------------------------------------------
  {
    const p = runEvents?.p ?? new SqlParams();
    // The sums `clampLayers` would take over the contact's parts, which lead scores clamp
    // engagement with.
    const [pos, neg] = signedSums(ruleIdx.map((i) => `c${i}`), def.engagementRules.map((r) => Math.sign(r.points)));
    // Contacts join the events aggregated per (account, contact), not each event: the role
    // multiplier, constant per contact, scales the contact's sums (1 for the anonymous bucket).
    // A run joins most contacts, so the few columns it needs are computed first and hashed narrow.
    const capped = ruleIdx.map((i) => `${capSql(`(v.s${i} * v.k)`, def.engagementRules[i]!.capPerContact, p)} AS c${i}`);
    const contactCols = `c.role, c.account_id AS contact_account_id, ${multiplierSql(def, "c", p)} AS k, ${PROFILE_HASH} AS profile_hash`;
    const scoped = scope.kind === "run" && !!scope.scope;
    const joined = runEvents && !scoped
      ? `SELECT v.*, c.role, c.contact_account_id, COALESCE(c.k, 1) AS k, c.profile_hash
           FROM (${runEvents.sql}) v
           LEFT JOIN (SELECT c.id, c.is_internal, ${contactCols} FROM contacts c OFFSET 0) c ON c.id = v.contact_id`
      : `SELECT v.*, ${contactCols}
           FROM ${runEvents ? `(${runEvents.sql})` : "_sc_ev"} v
           LEFT JOIN contacts c ON c.id = v.contact_id`;
    const inner = `SELECT ${tk ? "v.target_id, " : ""}v.account_id, v.contact_id, v.role, v.contact_account_id, v.profile_hash${ruleIdx.map((i) => `, ${capped[i]}`).join("")}
                 FROM (${joined} WHERE NOT COALESCE(c.is_internal, false) OFFSET 0) v`;
    steps.push({
      stage: runEvents ? "events" : "contacts",
      params: p.values,
      sql: `CREATE TEMP TABLE _sc_ct ON COMMIT DROP AS
        SELECT x.*, x.engagement > 0 AND x.contact_id IS NOT NULL AND x.engagement::float8 >= ${p.add(def.committee.engagedThreshold, "float8")} AS engaged
          FROM (SELECT y.*, least(greatest(e_pos - e_neg, 0), 100)::real AS engagement
                  FROM (SELECT z.*, ${pos} AS e_pos, ${neg} AS e_neg FROM (${inner} OFFSET 0) z OFFSET 0) y OFFSET 0) x`,
    });
  }

  // Temporary tables have no statistics until analysed; without them the planner guesses a
  // handful of rows and picks nested loops over hundreds of thousands.
  steps.push({ stage: "contacts", params: [], sql: "ANALYZE _sc_ct" });

  // 3. account engagement and committee ----------------------------------------------------
  {
    const p = new SqlParams();
    const roles = def.committee.requiredRoles;
    const cols = [
      ...ruleIdx.map((i) => `${capSql(`sum(c${i})`, def.engagementRules[i]!.capPerAccount, p)} AS e${i}`),
      "(count(*) FILTER (WHERE engaged))::int AS engaged_contacts",
      ...roles.map((role, k) => `COALESCE(bool_or(engaged AND role = ${p.add(role, "text")}), false) AS r${k}`),
    ];
    steps.push({ stage: "accounts", params: p.values, sql: `CREATE TEMP TABLE _sc_ae ON COMMIT DROP AS SELECT ${tk}account_id, ${cols.join(", ")} FROM _sc_ct GROUP BY ${tk}account_id` });
  }

  steps.push({ stage: "accounts", params: [], sql: "ANALYZE _sc_ae" });
  if (scope.kind === "targets" && def.rollup !== "NONE" && R > 0) steps.push({ stage: "accounts", params: [], sql: targetRollupSql(def.rollup, R, scope.table) });

  // 4. intent ---------------------------------------------------------------------------
  {
    const p = new SqlParams();
    if (I === 0) {
      steps.push({ stage: "intent", params: [], sql: `CREATE TEMP TABLE _sc_in ON COMMIT DROP AS SELECT ${tk && "NULL::bigint AS target_id, "}NULL::bigint AS account_id WHERE false` });
    } else if (scope.kind === "targets") {
      const rows = def.intentRules.flatMap((r, i) => r.topics.map((topic) => ({
        topic: topic.toLowerCase(), rule: i, points: r.points, rate: LN2 / (r.halfLifeDays * 86_400), lookback: r.lookbackDays * SECONDS_PER_DAY,
      })));
      const maxLookback = p.add(Math.max(...rows.map((r) => r.lookback)), "float8");
      const sums = def.intentRules.map((r, i) => `${capSql(`COALESCE(sum(r.points * i.strength / 100.0 * exp((date_part('epoch', i.observed_at) - date_part('epoch', t.as_of)) * r.rate)) FILTER (WHERE r.rule = ${i}), 0)`, r.capPerAccount, p)} AS n${i}`);
      steps.push({
        stage: "intent",
        params: p.values,
        sql: `CREATE TEMP TABLE _sc_in ON COMMIT DROP AS
          SELECT t.target_id, ${sums.join(", ")}
            FROM ${scope.table} t
            JOIN intent_signals i ON i.account_id = t.account_id AND i.observed_at <= t.as_of AND i.observed_at >= t.as_of - make_interval(secs => ${maxLookback})
            JOIN unnest(${p.add(rows.map((r) => r.topic), "text[]")}, ${p.add(rows.map((r) => r.rule), "int[]")}, ${p.add(rows.map((r) => r.points), "float8[]")},
                        ${p.add(rows.map((r) => r.rate), "float8[]")}, ${p.add(rows.map((r) => r.lookback), "float8[]")}) AS r(topic, rule, points, rate, lookback)
              ON r.topic = lower(i.topic)
           WHERE i.observed_at >= t.as_of - make_interval(secs => r.lookback)
           GROUP BY t.target_id`,
      });
    } else {
      const T = scope.asOf;
      const rows = def.intentRules.flatMap((r, i) => r.topics.map((topic) => ({
        topic: topic.toLowerCase(), rule: i, points: r.points, rate: LN2 / (r.halfLifeDays * 86_400), since: new Date(T.getTime() - r.lookbackDays * MS_PER_DAY),
      })));
      const minSince = new Date(Math.min(...rows.map((r) => r.since.getTime())));
      const tEpoch = p.add(T.getTime() / 1000, "float8");
      const sums = def.intentRules.map((r, i) => `${capSql(`COALESCE(sum(r.points * i.strength / 100.0 * exp((date_part('epoch', i.observed_at) - ${tEpoch}) * r.rate)) FILTER (WHERE r.rule = ${i}), 0)`, r.capPerAccount, p)} AS n${i}`);
      steps.push({
        stage: "intent",
        params: p.values,
        sql: `CREATE TEMP TABLE _sc_in ON COMMIT DROP AS
          SELECT i.account_id, ${sums.join(", ")}
            FROM intent_signals i
            ${scope.scope ? `JOIN ${scope.scope.accounts} sa ON sa.account_id = i.account_id` : ""}
            JOIN unnest(${p.add(rows.map((r) => r.topic), "text[]")}, ${p.add(rows.map((r) => r.rule), "int[]")}, ${p.add(rows.map((r) => r.points), "float8[]")},
                        ${p.add(rows.map((r) => r.rate), "float8[]")}, ${p.add(rows.map((r) => r.since), "timestamptz[]")}) AS r(topic, rule, points, rate, since)
              ON r.topic = lower(i.topic)
           WHERE i.account_id IS NOT NULL AND i.observed_at <= ${p.add(T, "timestamptz")} AND i.observed_at >= ${p.add(minSince, "timestamptz")}
             AND i.observed_at >= r.since
           GROUP BY i.account_id`,
      });
    }
  }

  // 5. everything per account (or target) that is not fit, in one row ------------------------
  steps.push({ stage: "accounts", params: [], sql: scope.kind === "run" ? accountInputsSql(def) : targetInputsSql(def, scope.table) });
  steps.push({ stage: "accounts", params: [], sql: "ANALYZE _sc_acc" });

  return steps;
}

/**
 * `_sc_acc`, a run's per-account inputs besides fit: each engagement rule's points (after
 * per-account caps and roll-up), engaged contacts, required roles covered (`r<k>`) and intent
 * per rule, for every account with any of them. SUM roll-up adds the subsidiaries' values (at
 * any depth) to the account's own; MAX takes the values of the most engaged family member.
 */
function accountInputsSql(def: ModelDefinition): string {
  const idx = [...Array(def.engagementRules.length).keys()];
  const roles = def.committee.requiredRoles.map((_, k) => `COALESCE(ae.r${k}, false) AS r${k}`);
  const intent = def.intentRules.map((_, i) => `COALESCE(n.n${i}, 0)::float8 AS n${i}`);
  let family = "";
  let rolled = "";
  let e = (i: number) => `COALESCE(ae.e${i}, 0)::float8`;
  if (def.rollup !== "NONE" && idx.length > 0) {
    family = `WITH RECURSIVE ${FAMILY_TREE}, pairs AS (SELECT DISTINCT ancestor AS account_id, member FROM tree WHERE ancestor <> member)`;
    if (def.rollup === "SUM") {
      rolled = `FULL JOIN (SELECT p.account_id, ${idx.map((i) => `sum(x.e${i}) AS e${i}`).join(", ")}
                            FROM pairs p JOIN _sc_ae x ON x.account_id = p.member GROUP BY p.account_id) d ON d.account_id = ae.account_id`;
      e = (i) => `(COALESCE(ae.e${i}, 0) + COALESCE(d.e${i}, 0))::float8`;
    } else {
      rolled = `FULL JOIN (SELECT DISTINCT ON (p.account_id) p.account_id, ${idx.map((i) => `x.e${i}`).join(", ")}
                            FROM (SELECT account_id, member FROM pairs UNION SELECT account_id, account_id FROM pairs) p
                            JOIN _sc_ae x ON x.account_id = p.member
                           ORDER BY p.account_id, (${idx.map((i) => `x.e${i}`).join(" + ")}) DESC, (p.member = p.account_id) DESC, p.member) d ON d.account_id = ae.account_id`;
      e = (i) => `(CASE WHEN d.account_id IS NOT NULL THEN d.e${i} ELSE COALESCE(ae.e${i}, 0) END)::float8`;
    }
  }
  const key = rolled ? "COALESCE(ae.account_id, d.account_id)" : "ae.account_id";
  return `CREATE TEMP TABLE _sc_acc ON COMMIT DROP AS ${family}
    SELECT COALESCE(${key}, n.account_id) AS account_id, ${[...idx.map((i) => `${e(i)} AS e${i}`), "COALESCE(ae.engaged_contacts, 0) AS engaged_contacts", ...roles, ...intent].join(", ")}
      FROM _sc_ae ae
      ${rolled}
      FULL JOIN _sc_in n ON n.account_id = ${key}`;
}

/** `accountInputsSql` for targets: the same columns keyed by `target_id`, one row per target. */
function targetInputsSql(def: ModelDefinition, table: string): string {
  const idx = [...Array(def.engagementRules.length).keys()];
  const rolled = def.rollup !== "NONE" && idx.length > 0;
  const cols = [
    ...idx.map((i) => `COALESCE(${rolled ? "g" : "ae"}.e${i}, 0)::float8 AS e${i}`),
    "COALESCE(ae.engaged_contacts, 0) AS engaged_contacts",
    ...def.committee.requiredRoles.map((_, k) => `COALESCE(ae.r${k}, false) AS r${k}`),
    ...def.intentRules.map((_, i) => `COALESCE(n.n${i}, 0)::float8 AS n${i}`),
  ];
  return `CREATE TEMP TABLE _sc_acc ON COMMIT DROP AS
    SELECT t.target_id, ${cols.join(", ")}
      FROM ${table} t
      LEFT JOIN _sc_ae ae ON ae.target_id = t.target_id AND ae.account_id = t.account_id
      ${rolled ? "LEFT JOIN _sc_roll g ON g.target_id = t.target_id" : ""}
      LEFT JOIN _sc_in n ON n.target_id = t.target_id`;
}

/**
 * Step 6's inner layers: the parts of every criterion (fit rules compiled to CASE expressions,
 * engagement, intent, committee), their clamped component values and scale factors, plus the
 * total, contributions and status expressions over them.
 */
function scoreLayers(def: ModelDefinition, scope: Scope, p: SqlParams) {
  const R = def.engagementRules.length;
  const ruleIdx = [...Array(R).keys()];
  // A run evaluates every account, so each lowercased column is computed once per account; a
  // target pass joins only its targets' accounts.
  const fit = fitExpressions(def.fitRules, "account", "a", p, { hoist: scope.kind === "run" });
  const c = def.committee;
  const parts = {
    F: def.fitRules.map((_, i) => `f${i}`),
    E: ruleIdx.map((i) => `e${i}`),
    I: def.intentRules.map((_, i) => `n${i}`),
    C: [...c.requiredRoles.map((_, k) => `c${k}`), "cb"],
  };
  const l1 = [
    scope.kind === "run" ? "a.id AS account_id" : "t.target_id, a.id AS account_id",
    ...fit.points.map((x, i) => `${x} AS f${i}`),
    `${fit.disqualified} AS dq`,
    ...ruleIdx.map((i) => `COALESCE(g.e${i}, 0) AS e${i}`),
    ...def.intentRules.map((_, i) => `COALESCE(g.n${i}, 0) AS n${i}`),
    ...c.requiredRoles.map((_, k) => `CASE WHEN g.r${k} THEN ${p.add(c.pointsPerRole, "float8")} ELSE 0::float8 END AS c${k}`),
    `CASE WHEN COALESCE(g.engaged_contacts, 0) >= ${p.add(c.minEngagedContacts, "int")} THEN ${p.add(c.breadthBonus, "float8")} ELSE 0::float8 END AS cb`,
    "COALESCE(g.engaged_contacts, 0) AS engaged_contacts",
  ];
  const w = def.weights;
  const weightOf = { F: p.add(w.fit, "float8"), E: p.add(w.engagement, "float8"), I: p.add(w.intent, "float8"), C: p.add(w.committee, "float8") };
  const order = ["F", "E", "I", "C"] as const;
  const contributions = order.flatMap((k) => parts[k].map((x) => `${weightOf[k]} * (CASE WHEN ${x} >= 0 THEN ${x} * ${k}_kp ELSE ${x} * ${k}_kn END)`));
  const t = def.thresholds;
  const status = `CASE WHEN dq THEN 'DISQUALIFIED'
      WHEN total >= ${p.add(t.sqa, "float8")} AND fit >= ${p.add(t.minFit, "float8")} AND engaged_contacts >= ${p.add(t.minEngagedContacts, "int")} THEN 'SQA'
      WHEN total >= ${p.add(t.mqa, "float8")} AND fit >= ${p.add(t.minFit, "float8")} THEN 'MQA'
      WHEN total >= ${p.add(t.nurture, "float8")} THEN 'NURTURE' ELSE 'UNQUALIFIED' END`;
  const scoped = scope.kind === "run" && scope.scope ? scope.scope.accounts : null;
  const accounts = fitSource(scoped ? `(SELECT * FROM accounts WHERE id IN (SELECT account_id FROM ${scoped}))` : "accounts", "a", fit.lowered);
  const from = scope.kind === "run"
    ? `FROM ${accounts} LEFT JOIN _sc_acc g ON g.account_id = a.id`
    : `FROM ${scope.table} t JOIN ${accounts} ON a.id = t.account_id LEFT JOIN _sc_acc g ON g.target_id = t.target_id`;
  return {
    layers: clampLayers(parts, `SELECT ${l1.join(",\n ")}
                        ${from}`, {
      F: def.fitRules.map((r) => Math.sign(r.points)),
      E: def.engagementRules.map((r) => Math.sign(r.points)),
      I: def.intentRules.map((r) => Math.sign(r.points)),
      C: parts.C.map(() => 1),
    }),
    total: order.map((k) => `${weightOf[k]} * ${k}_v`).join(" + "),
    contributions,
    status,
    parts: [...parts.F, ...parts.E, ...parts.I, ...parts.C],
  };
}

/** `clamp` of a component's parts: positive and negative sums, the clamped value `X_v` and the scale factors `X_kp`/`X_kn` of `clampParts`. */
function clampLayers(parts: Record<string, string[]>, inner: string, signs: Record<string, number[]> = {}): string {
  const sums = Object.entries(parts).flatMap(([k, xs]) => {
    const [pos, neg] = signedSums(xs, signs[k]);
    return [`${pos} AS ${k}_p`, `${neg} AS ${k}_n`];
  });
  const scaled = Object.keys(parts).flatMap((k) => [
    `least(greatest(${k}_p - ${k}_n, 0), 100) AS ${k}_v`,
    `CASE WHEN ${k}_p - ${k}_n > 100 THEN (100 + ${k}_n) / ${k}_p ELSE 1 END AS ${k}_kp`,
    `CASE WHEN ${k}_p - ${k}_n < 0 THEN ${k}_p / ${k}_n ELSE 1 END AS ${k}_kn`,
  ]);
  // OFFSET 0 keeps each layer a subquery: flattened, every reference to a part would repeat its
  // whole expression (fit tests included) in every sum, scale and contribution.
  return `SELECT *, ${scaled.join(", ")} FROM (SELECT *, ${sums.join(", ")} FROM (${inner} OFFSET 0) l1 OFFSET 0) l2 OFFSET 0`;
}

/**
 * The positive and negative sums of a component's parts, `Σ max(x, 0)` and `Σ max(−x, 0)`, in
 * part order. A part whose sign is known (its rule's points: multipliers, strengths and
 * committee points are never negative) goes into one sum only: the same additions, less zeros.
 */
function signedSums(xs: readonly string[], signs?: readonly number[]): [string, string] {
  const pos = xs.flatMap((x, i) => (!signs ? [`greatest(${x}, 0)`] : signs[i]! > 0 ? [x] : []));
  const neg = xs.flatMap((x, i) => (!signs ? [`greatest(-${x}, 0)`] : signs[i]! < 0 ? [`-${x}`] : []));
  return [pos.join(" + ") || "0::float8", neg.join(" + ") || "0::float8"];
}

/**
 * The weighted contributions of a component's parts as a real[] (`clampParts`): each part scaled
 * by `X_kp` or `X_kn` of `clampLayers`. When the component is not clamped both are 1 and the
 * scaling is skipped, which gives the same numbers.
 */
function scaledParts(weight: string, xs: readonly string[], k: string): string {
  if (xs.length === 0) return "ARRAY[]::real[]";
  const scaled = xs.map((x) => `${weight} * (CASE WHEN ${x} >= 0 THEN ${x} * ${k}_kp ELSE ${x} * ${k}_kn END)`);
  return `(CASE WHEN ${k}_kp = 1 AND ${k}_kn = 1 THEN ARRAY[${xs.map((x) => `${weight} * ${x}`).join(", ")}] ELSE ARRAY[${scaled.join(", ")}] END)::real[]`;
}

/**
 * A 64-bit hash of the fields lead fit rules test (title, seniority, department, role): contacts
 * with equal hashes share their lead fit. Fields are joined with chr(30), which single-line
 * CRM text does not contain; two different profiles colliding in 64 bits is negligible.
 */
const PROFILE_HASH = "hashtextextended(concat_ws(chr(30), COALESCE(c.title, ''), COALESCE(c.seniority, ''), COALESCE(c.department, ''), COALESCE(c.role, '')), 0)";

/** A contact's role multiplier (1 without a role or a multiplier for it). */
function multiplierSql(def: ModelDefinition, c: string, p: SqlParams): string {
  const multipliers = def.roleMultipliers.filter((m) => m.multiplier !== 1);
  return multipliers.length
    ? `CASE ${c}.role ${multipliers.map((m) => `WHEN ${p.add(m.role, "text")} THEN ${p.add(m.multiplier, "float8")}`).join(" ")} ELSE 1::float8 END`
    : "1::float8";
}

/** A sum whose magnitude is bounded by `limit` (no bound when null). */
function capSql(expr: string, limit: number | null, p: SqlParams): string {
  if (limit === null) return expr;
  const c = p.add(limit, "float8");
  return `least(greatest(${expr}, -${c}), ${c})`;
}

function bandSql(def: ModelDefinition, total: string, p: SqlParams): string {
  const bands = [...def.bands].reverse();
  if (bands.length === 1) return p.add(bands[0]!.name, "text");
  return `CASE ${bands.slice(0, -1).map((b) => `WHEN ${total} >= ${p.add(b.minScore, "float8")} THEN ${p.add(b.name, "text")}`).join(" ")} ELSE ${p.add(bands[bands.length - 1]!.name, "text")} END`;
}

function gradeSql(fit: string, engagement: string): string {
  return `(CASE WHEN ${fit} >= 75 THEN 'A' WHEN ${fit} >= 50 THEN 'B' WHEN ${fit} >= 25 THEN 'C' ELSE 'D' END
        || CASE WHEN ${engagement} >= 75 THEN '1' WHEN ${engagement} >= 50 THEN '2' WHEN ${engagement} >= 25 THEN '3' ELSE '4' END)`;
}

/** Every (ancestor, member) pair of the account hierarchy, at any depth (20 at most, so a cycle cannot recurse forever). */
const FAMILY_TREE = `tree(ancestor, member, depth) AS (
      SELECT parent_id, id, 1 FROM accounts WHERE parent_id IS NOT NULL
      UNION ALL
      SELECT a.parent_id, t.member, t.depth + 1 FROM tree t JOIN accounts a ON a.id = t.ancestor
       WHERE a.parent_id IS NOT NULL AND t.depth < 20
    )`;

/**
 * `_sc_tm`: the accounts whose events count for each target — the target's own account and,
 * when the model rolls up engagement, its subsidiaries at any depth — with the target's as-of.
 */
function targetMembersSql(table: string, rollup: boolean): string {
  const own = `SELECT target_id, account_id AS member_id, as_of FROM ${table}`;
  if (!rollup) return `CREATE TEMP TABLE _sc_tm ON COMMIT DROP AS ${own}`;
  return `CREATE TEMP TABLE _sc_tm ON COMMIT DROP AS WITH RECURSIVE ${FAMILY_TREE}
    ${own}
    UNION ALL
    SELECT DISTINCT t.target_id, f.member, t.as_of FROM ${table} t JOIN tree f ON f.ancestor = t.account_id WHERE f.ancestor <> f.member`;
}

/**
 * Roll-up for targets (`accountInputsSql` does it for runs): `_sc_ae` holds, per target, only
 * the rows of its family (see `targetMembersSql`).
 */
function targetRollupSql(mode: "SUM" | "MAX", R: number, table: string): string {
  const idx = [...Array(R).keys()];
  if (mode === "SUM") {
    return `CREATE TEMP TABLE _sc_roll ON COMMIT DROP AS
      SELECT target_id, ${idx.map((i) => `sum(e${i}) AS e${i}`).join(", ")} FROM _sc_ae GROUP BY target_id`;
  }
  return `CREATE TEMP TABLE _sc_roll ON COMMIT DROP AS
    SELECT DISTINCT ON (x.target_id) x.target_id, ${idx.map((i) => `x.e${i}`).join(", ")}
      FROM _sc_ae x JOIN ${table} t ON t.target_id = x.target_id
     ORDER BY x.target_id, (${idx.map((i) => `x.e${i}`).join(" + ")}) DESC, (x.account_id = t.account_id) DESC, x.account_id`;
}

const STATUS_RANK = "CASE %s WHEN 'DISQUALIFIED' THEN 0 WHEN 'UNQUALIFIED' THEN 1 WHEN 'NURTURE' THEN 2 WHEN 'MQA' THEN 3 WHEN 'SQA' THEN 4 END";

/**
 * Band and status transitions, each account against its own previous snapshot of the line
 * (see `EngineRun.previous`). An account without one counts as having been in the lowest band
 * and UNQUALIFIED. Moving up into a band with an SLA, or up into MQA or SQA, starts that band's
 * SLA clock at the run's as-of; moving down records the transition without an SLA. The cause:
 * MODEL_CHANGE when the previous snapshot is of another version, EVENTS when the account had
 * none (its first snapshot: its facts put it there) or facts newer than it (`EngineRun.touched`),
 * else DECAY (time alone moved it).
 */
function transitionsStep(def: ModelDefinition, run: EngineRun, accounts: string): EngineStep {
  const p = new SqlParams();
  const names = p.add(def.bands.map((b) => b.name), "text[]");
  const slas = p.add(def.bands.map((b) => b.slaHours), "int[]");
  const runId = p.add(run.runId, "bigint");
  const asOf = p.add(run.asOf, "timestamptz");
  const modelId = p.add(run.modelId, "bigint");
  let prevJoin = "LEFT JOIN (SELECT NULL::bigint AS account_id, NULL::bigint AS model_id, NULL::text AS band, NULL::text AS status) prev ON false";
  if (run.previous) {
    const prevModel = p.add(run.previous.modelId, "bigint");
    const line = p.add(run.previous.line, "text");
    // The current row is the previous snapshot unless there is none (a new account, a version
    // activated before current scores existed) or it is not older than this run (a backfill as
    // of an earlier instant): then the history has it, looked up for those accounts only.
    const usePc = `(pc.account_id IS NOT NULL AND (pc.as_of, pc.run_id) < (${asOf}, ${runId}))`;
    prevJoin = `LEFT JOIN LATERAL (
        SELECT CASE WHEN ${usePc} THEN pc.account_id ELSE ph.account_id END AS account_id,
               CASE WHEN ${usePc} THEN pc.model_id ELSE ph.model_id END AS model_id,
               CASE WHEN ${usePc} THEN pc.band ELSE ph.band END AS band,
               CASE WHEN ${usePc} THEN pc.status ELSE ph.status END AS status
          FROM (SELECT 1) one
          LEFT JOIN current_scores pc ON pc.model_id = ${prevModel} AND pc.account_id = cur.account_id
          LEFT JOIN LATERAL (
            SELECT h.account_id, h.model_id, h.band, h.status FROM account_scores h
              JOIN scoring_runs r ON r.id = h.run_id AND r.status = 'SUCCEEDED' AND r.model_status = 'ACTIVE'
             WHERE NOT ${usePc}
               AND h.account_id = cur.account_id AND (h.as_of, h.run_id) < (${asOf}, ${runId})
               AND h.model_id IN (SELECT id FROM scoring_models WHERE name = ${line})
             ORDER BY h.as_of DESC, h.run_id DESC LIMIT 1) ph ON true) prev ON true`;
  }
  const touched = !run.touched || run.touched === "all"
    ? "true"
    : `EXISTS (SELECT 1 FROM score_queue q WHERE q.line = ${p.add(run.touched.line, "text")} AND q.account_id = c.account_id)`;
  // Usually few accounts change: only they are expanded into BAND and STATUS rows, and only
  // their holdout flags are looked up (by key, not by joining every account).
  return {
    stage: "transitions",
    counts: "transitions",
    params: p.values,
    sql: `INSERT INTO band_transitions (account_id, model_id, run_id, kind, from_value, to_value, entered_at, sla_hours, sla_due_at, is_holdout, cause)
      SELECT x.account_id, ${modelId}, ${runId}, kind, from_value, to_value, ${asOf}, sla, ${asOf} + sla * interval '1 hour', a.is_holdout, cause
        FROM (
          SELECT c.account_id, t.kind, t.from_value, t.to_value,
                 CASE WHEN t.up THEN (${slas})[array_position(${names}, c.band)] END AS sla,
                 CASE WHEN ${run.activation ? "true" : "false"} OR (c.prev_model IS NOT NULL AND c.prev_model <> ${modelId}) THEN 'MODEL_CHANGE'
                      WHEN NOT c.had OR ${touched} THEN 'EVENTS' ELSE 'DECAY' END AS cause
            FROM (SELECT cur.account_id, cur.band, cur.status, prev.account_id IS NOT NULL AS had, prev.band AS prev_band, prev.status AS prev_status,
                         prev.model_id AS prev_model
                    FROM ${accounts} cur
                    ${prevJoin}
                   WHERE cur.run_id = ${runId} AND cur.as_of = ${asOf}
                     AND CASE WHEN prev.account_id IS NULL THEN cur.band <> (${names})[1] OR cur.status <> 'UNQUALIFIED'
                              ELSE prev.band <> cur.band OR prev.status <> cur.status END
                  OFFSET 0) c
            CROSS JOIN LATERAL (VALUES
              ('BAND', c.prev_band, c.band,
               CASE WHEN NOT c.had THEN c.band <> (${names})[1] ELSE c.prev_band <> c.band END,
               COALESCE(array_position(${names}, c.band), 1) > COALESCE(array_position(${names}, c.prev_band), 1)),
              ('STATUS', c.prev_status, c.status,
               CASE WHEN NOT c.had THEN c.status <> 'UNQUALIFIED' ELSE c.prev_status <> c.status END,
               c.status IN ('MQA', 'SQA') AND ${STATUS_RANK.replace("%s", "c.status")} > COALESCE(${STATUS_RANK.replace("%s", "c.prev_status")}, 1))
            ) AS t(kind, from_value, to_value, changed, up)
           WHERE t.changed
          OFFSET 0) x
        JOIN LATERAL (SELECT a.is_holdout FROM accounts a WHERE a.id = x.account_id OFFSET 0) a ON true`,
  };
}

/**
 * Brings `current_scores` up to date with the run's snapshots: what the latest run said about
 * an account is its current score (runs are serialised, so run ids are their order), as the
 * latest run was before incremental runs existed.
 */
export function currentScoresStep(run: Pick<EngineRun, "runId" | "asOf">, accounts: string): EngineStep {
  const cols = "model_id, account_id, run_id, as_of, total, fit, engagement, intent, committee, band, grade, status, engaged_contacts, contributions";
  const set = cols.split(", ").filter((c) => c !== "model_id" && c !== "account_id").map((c) => `${c} = EXCLUDED.${c}`).join(", ");
  return {
    stage: "current",
    params: [run.runId, run.asOf],
    sql: `INSERT INTO current_scores AS cs (${cols})
      SELECT ${cols} FROM ${accounts} WHERE run_id = $1 AND as_of = $2
      ON CONFLICT (model_id, account_id) DO UPDATE SET ${set}
      WHERE cs.run_id < EXCLUDED.run_id`,
  };
}
