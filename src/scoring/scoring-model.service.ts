import type { PoolClient } from "pg";
import type { Database } from "../platform/db/database";
import { BadInputError, ConflictError, NotFoundError } from "../platform/errors/errors";
import { isRowId } from "../platform/graphql/ids";
import { DEFAULT_MODEL_NAME } from "./latest-run";
import { normaliseModelInput, type ScoringModelInputData } from "./model-validation";
import { MODEL_COLUMNS, type ModelRow, type ModelStatus } from "./model.types";
import type { ScoringRunService } from "./scoring-run.service";

/**
 * Scoring models as named lines of immutable versions: a new definition is always a new
 * version (DRAFT); activating a version retires the line's ACTIVE one; re-activating a
 * RETIRED version is the rollback. Versions are never edited in place.
 */
export class ScoringModelService {
  constructor(private readonly db: Database, private readonly eventTypes: readonly string[], private readonly runner?: ScoringRunService) {}

  async list(status?: ModelStatus | null, name?: string | null): Promise<ModelRow[]> {
    return this.db.query<ModelRow>(
      `SELECT ${MODEL_COLUMNS} FROM scoring_models m
        WHERE ($1::text IS NULL OR m.status = $1) AND ($2::text IS NULL OR m.name = $2)
        ORDER BY m.name, m.version DESC`, [status ?? null, name ?? null]);
  }

  async byId(id: string): Promise<ModelRow | null> {
    if (!isRowId(id)) return null;
    const rows = await this.db.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async active(name: string = DEFAULT_MODEL_NAME): Promise<ModelRow | null> {
    const rows = await this.db.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.name = $1 AND m.status = 'ACTIVE'`, [name]);
    return rows[0] ?? null;
  }

  /** Validates the input and stores it as the next version of its line, as a DRAFT. */
  async create(input: ScoringModelInputData, createdBy: string | null): Promise<ModelRow> {
    const model = normaliseModelInput(input, { eventTypes: this.eventTypes });
    return this.db.tx(async (client) => {
      await lockLine(client, model.name);
      if (model.basedOnId !== null) {
        const base = await client.query("SELECT 1 FROM scoring_models WHERE id = $1", [model.basedOnId]);
        if (base.rowCount === 0) throw new BadInputError(`basedOnId ${model.basedOnId} is not a scoring model; pass the id of the version this one derives from, or omit it.`, { field: "basedOnId" });
      }
      const { rows } = await client.query<ModelRow>(
        `INSERT INTO scoring_models AS m (name, version, status, description, based_on_id, definition, created_by)
         SELECT $1, COALESCE(max(version), 0) + 1, 'DRAFT', $2, $3, $4, $5 FROM scoring_models WHERE name = $1
         RETURNING ${MODEL_COLUMNS}`,
        [model.name, model.description, model.basedOnId, JSON.stringify(model.definition), createdBy]);
      return rows[0]!;
    });
  }

  /**
   * Makes a version the ACTIVE one of its line and retires the previous ACTIVE version, without
   * ever blanking a dashboard: the version's first FULL run is scored first, and the line is
   * switched inside that run's transaction, so reads serve the previous version (its current
   * scores and distribution) until the new one's scores commit with the switch. Its transitions
   * are against each account's snapshot of the previous version (cause MODEL_CHANGE).
   * Activating the ACTIVE version changes nothing. Returns the version, ACTIVE, after commit.
   */
  async activate(id: string, triggeredBy: string | null = null): Promise<ModelRow> {
    const model = await this.byId(id);
    if (!model) throw new NotFoundError("Scoring model", id);
    if (model.status === "ACTIVE") return model;
    // Checked before scoring, so a refused activation costs nothing, and again in the run's
    // transaction, where it is authoritative.
    await this.db.tx((client) => assertActivatable(client, model));
    if (!this.runner) throw new Error("activation needs the scoring runner");
    await this.runner.run({
      modelId: id,
      triggeredBy: triggeredBy ?? "activation",
      activate: (client, scored) => switchLine(client, scored),
    });
    return (await this.byId(id))!;
  }
}

/**
 * The activating transaction's switch, run after the new version's snapshots are written and
 * before they commit: the line is locked, the version checked again, the previous ACTIVE
 * version retired and this one made ACTIVE — all or nothing with the run.
 */
async function switchLine(client: PoolClient, model: ModelRow): Promise<void> {
  await lockLine(client, model.name);
  const { rows } = await client.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.id = $1 FOR UPDATE`, [model.id]);
  await assertActivatable(client, rows[0]!);
  await client.query("UPDATE scoring_models SET status = 'RETIRED', retired_at = now() WHERE name = $1 AND status = 'ACTIVE' AND id <> $2", [model.name, model.id]);
  await client.query("UPDATE scoring_models SET status = 'ACTIVE', activated_at = now(), retired_at = NULL WHERE id = $1", [model.id]);
}

/** What a version needs before it may become ACTIVE: a training proposal must have been approved by the council. */
async function assertActivatable(client: PoolClient, model: ModelRow): Promise<void> {
  const proposal = await client.query<{ status: string; training_run_id: string }>(
    "SELECT status, training_run_id::text FROM weight_proposals WHERE proposed_model_id = $1", [model.id]);
  const p = proposal.rows[0];
  if (p && p.status !== "APPROVED") {
    throw new ConflictError(`Model ${model.name} v${model.version} was proposed by training run ${p.training_run_id} and its proposal is ${p.status}; the council must approve it before it can be activated.`);
  }
}

/** Serialises version numbering and activation within one model line. */
export async function lockLine(client: PoolClient, name: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(4212004, hashtext($1))", [name]);
}
