import type { PoolClient } from "pg";
import type { ActivationRequest, CouncilGate } from "../council/council-gate.service";
import type { Database } from "../platform/db/database";
import { BadInputError, ConflictError, NotFoundError } from "../platform/errors/errors";
import { decodeId } from "../platform/graphql/global-id";
import { DEFAULT_MODEL_NAME } from "./latest-run";
import { normaliseModelInput, type ScoringModelInputData } from "./model-validation";
import { MODEL_COLUMNS, type ModelRow, type ModelStatus } from "./model.types";

/**
 * Scoring models as named lines of immutable versions: a new definition is always a new
 * version (DRAFT); activating a version retires the line's ACTIVE one; re-activating a
 * RETIRED version is the rollback. Versions are never edited in place.
 */
export class ScoringModelService {
  constructor(private readonly db: Database, private readonly eventTypes: readonly string[], private readonly gate: CouncilGate) {}

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
   * Makes a version the ACTIVE one of its line and retires the previous ACTIVE version.
   * Activating the ACTIVE version changes nothing. The council's gate (`CouncilGate`) decides,
   * under the line lock and in this transaction, whether the version may go live (an approved
   * proposal, a rollback, or an ADMIN's break-glass) and records the change.
   */
  async activate(idArg: string, request: ActivationRequest): Promise<ModelRow> {
    const id = decodeId(idArg, "ScoringModel");
    if (id === null) throw new NotFoundError("Scoring model", idArg);
    return this.db.tx(async (client) => {
      const found = await client.query<{ name: string }>("SELECT name FROM scoring_models WHERE id = $1", [id]);
      if (found.rowCount === 0) throw new NotFoundError("Scoring model", id);
      await lockLine(client, found.rows[0]!.name);
      const { rows } = await client.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.id = $1 FOR UPDATE`, [id]);
      const model = rows[0]!;
      if (model.status === "ACTIVE") return model;
      await this.gate.authorise(client, model, request);
      await client.query("UPDATE scoring_models SET status = 'RETIRED', retired_at = now() WHERE name = $1 AND status = 'ACTIVE'", [model.name]);
      const updated = await client.query<ModelRow>(
        `UPDATE scoring_models m SET status = 'ACTIVE', activated_at = now(), retired_at = NULL WHERE m.id = $1 RETURNING ${MODEL_COLUMNS}`, [id]);
      return updated.rows[0]!;
    });
  }
}

/** Serialises version numbering and activation within one model line. */
export async function lockLine(client: PoolClient, name: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(4212004, hashtext($1))", [name]);
}
