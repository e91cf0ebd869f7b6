import type { PoolClient } from "pg";
import type { ActivationRequest, CouncilGate } from "../council/council-gate.service";
import type { Database } from "../platform/db/database";
import { isConcurrencyFailure } from "../platform/db/pg-errors";
import { BadInputError, ConflictError, NotFoundError } from "../platform/errors/errors";
import { decodeId } from "../platform/graphql/global-id";
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
  constructor(
    private readonly db: Database,
    private readonly eventTypes: readonly string[],
    private readonly gate: CouncilGate,
    private readonly runner?: ScoringRunService,
  ) {}

  async list(status?: ModelStatus | null, name?: string | null): Promise<ModelRow[]> {
    return this.db.query<ModelRow>(
      `SELECT ${MODEL_COLUMNS} FROM scoring_models m
        WHERE ($1::text IS NULL OR m.status = $1) AND ($2::text IS NULL OR m.name = $2)
        ORDER BY m.name, m.version DESC`, [status ?? null, name ?? null]);
  }

  /** A version by its id or rowId (null when there is none). */
  async byId(id: string): Promise<ModelRow | null> {
    const rowId = decodeId(id, "ScoringModel");
    if (rowId === null) return null;
    const rows = await this.db.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.id = $1`, [rowId]);
    return rows[0] ?? null;
  }

  async active(name: string = DEFAULT_MODEL_NAME): Promise<ModelRow | null> {
    const rows = await this.db.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.name = $1 AND m.status = 'ACTIVE'`, [name]);
    return rows[0] ?? null;
  }

  /** Validates the input and stores it as the next version of its line, as a DRAFT. */
  async create(input: ScoringModelInputData, createdBy: string | null): Promise<ModelRow> {
    return this.db.tx((client) => this.createIn(client, input, createdBy));
  }

  /** `create` in the caller's transaction (a training run writes its DRAFT and proposal together). */
  async createIn(client: PoolClient, input: ScoringModelInputData, createdBy: string | null): Promise<ModelRow> {
    const model = normaliseModelInput(input, { eventTypes: this.eventTypes });
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
  }

  /**
   * Makes a version the ACTIVE one of its line and retires the previous ACTIVE version, without
   * ever blanking a dashboard: the version's first FULL run is scored first, and the line is
   * switched inside that run's transaction, so reads serve the previous version (its current
   * scores and distribution) until the new one's scores commit with the switch. Its transitions
   * are against each account's snapshot of the previous version (cause MODEL_CHANGE).
   * The council's gate (`CouncilGate`) decides, under the line lock and in that same
   * transaction, whether the version may go live (an approved proposal, a rollback, or an
   * ADMIN's break-glass) and records the change in `model_changes`.
   * Activating the ACTIVE version changes nothing. Returns the version, ACTIVE, after commit.
   */
  async activate(idArg: string, request: ActivationRequest): Promise<ModelRow> {
    const id = decodeId(idArg, "ScoringModel");
    const model = id === null ? null : await this.byId(id);
    if (!model) throw new NotFoundError("Scoring model", idArg);
    if (model.status === "ACTIVE") return model;
    // Asked once before scoring, so a refused activation costs no run: that transaction is
    // rolled back (no audit row). The answer that counts is the one in the run's transaction.
    await this.db.tx(async (client) => {
      await lockLine(client, model.name);
      await this.gate.authorise(client, model, request);
      throw GATE_PREVIEW;
    }).catch((err: unknown) => { if (err !== GATE_PREVIEW) throw err; });
    if (!this.runner) throw new Error("activation needs the scoring runner");
    try {
      await this.runner.run({
        modelId: model.id,
        triggeredBy: request.principal?.name ?? "activation",
        activate: (client, scored) => this.switchLine(client, scored, request),
      });
    } catch (err) {
      // The run's REPEATABLE READ snapshot cannot lock a model or proposal row that a concurrent
      // activation or review changed meanwhile: nothing was written. If that other activation put
      // this very version live, the caller's wish is met; otherwise the caller decides again.
      if (!isConcurrencyFailure(err)) throw err;
      const now = await this.byId(model.id);
      if (now?.status === "ACTIVE") return now;
      throw new ConflictError(`${model.name} v${model.version} was not activated: a concurrent activation or council review changed the line while its first run was scoring. Check its proposal and the line's ACTIVE version, then activate again.`);
    }
    return (await this.byId(model.id))!;
  }

  /**
   * The activating transaction's switch, run after the new version's snapshots are written and
   * before they commit: the line is locked, the council's gate decides and records, the previous
   * ACTIVE version is retired and this one made ACTIVE — all or nothing with the run.
   */
  private async switchLine(client: PoolClient, scored: ModelRow, request: ActivationRequest): Promise<void> {
    await lockLine(client, scored.name);
    const { rows } = await client.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.id = $1 FOR UPDATE`, [scored.id]);
    const model = rows[0]!;
    if (model.status === "ACTIVE") return;
    await this.gate.authorise(client, model, request);
    await client.query("UPDATE scoring_models SET status = 'RETIRED', retired_at = now() WHERE name = $1 AND status = 'ACTIVE' AND id <> $2", [model.name, model.id]);
    await client.query("UPDATE scoring_models SET status = 'ACTIVE', activated_at = now(), retired_at = NULL WHERE id = $1", [model.id]);
  }
}

/** Thrown to roll back the gate's preview transaction in `activate`. */
const GATE_PREVIEW = Symbol("gate preview");


/** Serialises version numbering and activation within one model line. */
export async function lockLine(client: PoolClient, name: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(4212004, hashtext($1))", [name]);
}
