import fs from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Database } from "../../platform/db/database";
import { BadInputError } from "../../platform/errors/errors";
import { INGEST_ENTITIES } from "../ingest-entities";
import type { EntityName, IngestEntity, ValidationContext } from "../ingest-entity";
import type { FieldError } from "../row-check";
import { copyLine, createStagingSql, tableSource } from "../row-source";
import { prepareIngestTransaction } from "../stitch.sql";
import { CsvReader, type CsvRecord, CsvSyntaxError } from "./csv-reader";
import { compileRowMapper, type FileMapping, type RowMapper } from "./import-mapping";

export interface ImportFile {
  readonly path: string;
  readonly mapping: FileMapping;
}

export interface ImportRequest {
  /** Imported in this order (accounts before the facts that stitch to them), in one transaction. */
  readonly files: readonly ImportFile[];
  /** Every row that could not be placed, with its file, line and reason. */
  readonly rejectPath: string;
  /** Write nothing if any row is rejected. */
  readonly strict?: boolean;
  readonly onProgress?: (done: number, total: number, stage: string) => void;
}

export interface FileSummary {
  readonly file: string;
  readonly entity: EntityName;
  /** Data rows read (blank lines and the header not counted). */
  readonly rows: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly held: number;
  readonly stitched: number;
  readonly rejected: number;
  readonly seconds: number;
}

export interface ImportSummary {
  readonly files: FileSummary[];
  readonly rows: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly held: number;
  readonly stitched: number;
  readonly rejected: number;
  /** False when --strict found rejects: nothing was written. */
  readonly committed: boolean;
  readonly rejectFile: string;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

/**
 * Imports CSV files: each is streamed (memory stays flat whatever its size) through its
 * mapping and the same row checks as the GraphQL batches, COPYed into a temporary staging
 * table, de-duplicated, and written by the entity's one set-based merge — the same SQL, with
 * the same stitching, as the mutations. All files commit together or not at all. Rows that
 * cannot be placed go to the reject file with their line and reason; none is dropped silently.
 */
export async function runImport(db: Database, ctx: ValidationContext, request: ImportRequest): Promise<ImportSummary> {
  const started = performance.now();
  for (const f of request.files) {
    if (!fs.existsSync(f.path)) throw new BadInputError(`${f.path} does not exist`);
  }
  const totalBytes = request.files.reduce((sum, f) => sum + fs.statSync(f.path).size, 0);
  const rejects = new RejectWriter(request.rejectPath);
  const client = await db.pool.connect();
  let bytesBefore = 0;
  const files: FileSummary[] = [];
  let committed = false;
  try {
    // Temporary tables live in per-session buffers; more of them keeps a large staging table off disk.
    // Only settable before the session first touches a temporary table, so failure is fine.
    await client.query("SET temp_buffers = '256MB'").catch(() => undefined);
    await client.query("BEGIN");
    // A bulk import is an operator's job: it may take longer than an API request, and sorts big sets.
    await client.query("SET LOCAL statement_timeout = 0");
    await client.query("SET LOCAL work_mem = '256MB'");
    await prepareIngestTransaction(client);
    for (const [i, file] of request.files.entries()) {
      const progress = (done: number, stage: string) => request.onProgress?.(bytesBefore + done, totalBytes, `${path.basename(file.path)}: ${stage}`);
      files.push(await importFile(client, ctx, file, `ingest_stage_${i}`, rejects, progress));
      bytesBefore += fs.statSync(file.path).size;
    }
    const rejected = files.reduce((s, f) => s + f.rejected, 0);
    if (request.strict && rejected > 0) {
      await client.query("ROLLBACK");
    } else {
      await client.query("COMMIT");
      committed = true;
    }
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    // A connection that failed mid-COPY is not worth reusing: the pool gets a fresh one.
    client.release(true);
    await rejects.close();
    throw err;
  }
  client.release();
  await rejects.close();
  const seconds = (performance.now() - started) / 1000;
  const sum = (k: keyof FileSummary) => files.reduce((s, f) => s + (f[k] as number), 0);
  const rows = sum("rows");
  return {
    files, rows,
    inserted: committed ? sum("inserted") : 0,
    updated: committed ? sum("updated") : 0,
    unchanged: committed ? sum("unchanged") : 0,
    held: committed ? sum("held") : 0,
    stitched: committed ? sum("stitched") : 0,
    rejected: sum("rejected"),
    committed,
    rejectFile: request.rejectPath,
    seconds,
    rowsPerSecond: seconds > 0 ? rows / seconds : 0,
  };
}

async function importFile(
  client: PoolClient, ctx: ValidationContext, file: ImportFile, table: string, rejects: RejectWriter,
  progress: (done: number, stage: string) => void,
): Promise<FileSummary> {
  const started = performance.now();
  const entity = INGEST_ENTITIES[file.mapping.entity];
  const label = path.basename(file.path);
  await client.query(createStagingSql(table, entity.columns));
  const stage = new StagingWriter(entity, ctx, file, label, rejects);
  let bytes = 0;
  const copy = client.query(copyFrom(`COPY ${table} (idx, ${entity.columns.map((c) => c.name).join(", ")}) FROM STDIN`));
  await pipeline(
    fs.createReadStream(file.path, { highWaterMark: 1 << 20 }),
    async function* (source: AsyncIterable<Buffer>) {
      const decoder = new StringDecoder("utf8");
      const reader = new CsvReader(file.mapping.delimiter);
      try {
        for await (const chunk of source) {
          bytes += chunk.length;
          const text = await stage.records(reader.push(decoder.write(chunk)));
          if (text) yield text;
          progress(bytes, "reading");
        }
        const text = await stage.records([...reader.push(decoder.end()), ...reader.end()]);
        if (text) yield text;
      } catch (err) {
        if (err instanceof CsvSyntaxError) throw new BadInputError(`${label}: ${err.message}`);
        throw err;
      }
    },
    copy,
  );
  if (!stage.sawHeader) throw new BadInputError(`${label} is empty: it needs a header row and data rows`);
  progress(bytes, "merging");
  await client.query(`ANALYZE ${table}`);
  let rejected = stage.rejected;
  rejected += await rejectDuplicates(client, entity, table, label, rejects);
  if (entity.conflicts) {
    const conflicts = await entity.conflicts(client, tableSource(table));
    for (const c of conflicts) await rejects.add(label, c.idx, c.key, [{ field: c.field, message: c.message }]);
    if (conflicts.length > 0) await client.query(`DELETE FROM ${table} WHERE idx = ANY($1::bigint[])`, [conflicts.map((c) => c.idx)]);
    rejected += new Set(conflicts.map((c) => c.idx)).size;
  }
  const placed = stage.rows - rejected;
  const outcome = await entity.merge(client, tableSource(table));
  return {
    file: file.path, entity: entity.name, rows: stage.rows, ...outcome,
    unchanged: placed - outcome.inserted - outcome.updated, rejected, seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Maps and checks records, turning good ones into COPY text for the staging table and bad
 * ones into reject lines.
 */
class StagingWriter {
  rows = 0;
  rejected = 0;
  sawHeader = false;
  private mapper: RowMapper | null = null;
  private width = 0;

  constructor(
    private readonly entity: IngestEntity<unknown>,
    private readonly ctx: ValidationContext,
    private readonly file: ImportFile,
    private readonly label: string,
    private readonly rejects: RejectWriter,
  ) {}

  async records(records: CsvRecord[]): Promise<string> {
    let text = "";
    const { entity, ctx } = this;
    for (const record of records) {
      if (!this.mapper) {
        this.sawHeader = true;
        this.width = record.fields.length;
        this.mapper = compileRowMapper(this.file.mapping, record.fields, this.label);
        continue;
      }
      this.rows++;
      if (record.fields.length > this.width) {
        await this.reject(record.line, "", [{ field: "", message: `the row has ${record.fields.length} fields but the header has ${this.width}; quote fields that contain the delimiter` }]);
        continue;
      }
      const mapped = this.mapper.map(record.fields);
      const checked = entity.validate(mapped.input, ctx);
      if (mapped.errors.length > 0 || checked.errors.length > 0 || !checked.row) {
        const mappedFields = new Set(mapped.errors.map((e) => e.field));
        const errors = [...mapped.errors, ...checked.errors.filter((e) => !mappedFields.has(e.field))].map((e) => this.explain(e));
        await this.reject(record.line, String(mapped.input[entity.keyFields[0]!] ?? ""), errors);
        continue;
      }
      text += copyLine(record.line, entity.columns, entity.values(checked.row));
    }
    return text;
  }

  /** "accountDomain is required" says more with its column: `(column "account" is blank)`. */
  private explain(e: FieldError): FieldError {
    const column = this.mapper!.columnOf(e.field);
    if (column !== undefined && / is required$/.test(e.message)) return { ...e, message: `${e.message} (column "${column}" is blank)` };
    return e;
  }

  private async reject(line: number, key: string, errors: FieldError[]): Promise<void> {
    this.rejected++;
    await this.rejects.add(this.label, line, key, errors);
  }
}

/** Rows repeating a natural key already seen earlier in the file: the first is imported, the rest rejected. */
async function rejectDuplicates(client: PoolClient, entity: IngestEntity<unknown>, table: string, label: string, rejects: RejectWriter): Promise<number> {
  const keys = entity.keyColumns.join(", ");
  const any = await client.query(`SELECT 1 FROM ${table} GROUP BY ${keys} HAVING count(*) > 1 LIMIT 1`);
  if (any.rowCount === 0) return 0;
  const { rows } = await client.query<{ idx: string; first: string; key: string }>(
    `WITH d AS (SELECT idx, first_value(idx) OVER (PARTITION BY ${keys} ORDER BY idx) AS first FROM ${table})
     DELETE FROM ${table} s USING d WHERE s.idx = d.idx AND d.idx <> d.first
     RETURNING s.idx, d.first, concat_ws(' / ', ${entity.keyColumns.map((k) => `s.${k}::text`).join(", ")}) AS key`);
  rows.sort((a, b) => Number(a.idx) - Number(b.idx));
  for (const r of rows) {
    await rejects.add(label, Number(r.idx), r.key, [{ field: entity.keyFields.join(" + "), message: `repeats the ${entity.noun} of line ${r.first} (same ${entity.keyFields.join(" + ")}); the first one was imported` }]);
  }
  return rows.length;
}

/** The reject file: `file,line,key,fields,reason`, one line per rejected row. */
class RejectWriter {
  private readonly out: fs.WriteStream;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.out = fs.createWriteStream(file);
    this.out.write("file,line,key,fields,reason\n");
  }

  async add(file: string, line: number, key: string, errors: readonly FieldError[]): Promise<void> {
    const fields = [...new Set(errors.map((e) => e.field).filter((f) => f !== ""))].join("; ");
    const reason = errors.map((e) => e.message).join("; ");
    if (!this.out.write(`${[file, String(line), key, fields, reason].map(csvField).join(",")}\n`)) await once(this.out, "drain");
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, "finish");
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

