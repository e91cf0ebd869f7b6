import fs from "node:fs";
import path from "node:path";
import { ENTITY_NAMES, type EntityName } from "../ingest/ingest-entity";
import type { ImportFile, ImportSummary } from "../ingest/import/csv-import";
import { MappingError, parseMapping } from "../ingest/import/import-mapping";
import { mixingWarning, recordDataSource } from "../ingest/data-sources.service";
import { withServices } from "./bootstrap";
import { type Command, parseOptions, progressBar, UsageError } from "./command";

export const importCommand: Command = {
  summary: "Import CSV exports (accounts, contacts, events, intent, deals) through a JSON mapping.",
  usage: `quorum import --mapping M.json [--dir D] [--reject R.csv] [--strict] [--json]
quorum import --entity accounts|contacts|events|intent|deals --file F.csv --mapping M.json [--delimiter ;] [--reject R.csv] [--strict] [--json]

The mapping names, per file, the column (or constant, or template) behind each input field,
with value maps (Won → WON, typo fixes), date formats and time zones, and keys derived from
names (slug + suffix) — see src/ingest/README.md. A mapping may list several files; they are
imported in order (accounts first) in ONE transaction: all of it commits, or none of it.

  --mapping    the JSON mapping
  --dir        folder the mapping's file names are relative to (default: the mapping's folder)
  --entity, --file   import one file with a single-entity mapping
  --delimiter  field separator (default "," or the mapping's)
  --reject     where rows that cannot be placed are listed with their line and reason
               (default ./quorum-rejects.csv)
  --strict     write nothing if any row is rejected
  --json       print the summary as JSON

Example (the README's worked example):
  quorum import --mapping examples/maven-crm/maven-crm.mapping.json --dir ../shared/data/maven-crm`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      mapping: { type: "string" }, dir: { type: "string" }, entity: { type: "string" }, file: { type: "string" },
      delimiter: { type: "string" }, reject: { type: "string" }, strict: { type: "boolean" }, json: { type: "boolean" },
    });
    const files = importFiles(values);
    const source = sourceOf(values.mapping!);
    const rejectPath = path.resolve(values.reject ?? "quorum-rejects.csv");
    return withServices(async ({ db, services }) => {
      const warning = await mixingWarning(db, source);
      if (warning) process.stderr.write(`quorum import: warning: ${warning}\n`);
      const bar = values.json ? null : progressBar("import");
      const summary = await services.ingest.importFiles({ files, rejectPath, strict: values.strict ?? false, onProgress: (d, t, s) => bar?.update(d, t, s) });
      bar?.done();
      if (summary.committed) await recordDataSource(db, source, files.map((f) => f.mapping.entity));
      if (values.json) process.stdout.write(`${JSON.stringify({ ...summary, source, warnings: warning ? [warning] : [] })}\n`);
      else process.stdout.write(describe(summary));
      return summary.committed ? 0 : 1;
    });
  },
};

/** The files to import, from the options and the mapping; every mistake is reported before the database is touched. */
function importFiles(values: { mapping?: string; dir?: string; entity?: string; file?: string; delimiter?: string }): ImportFile[] {
  if (!values.mapping) throw new UsageError("--mapping is required: the JSON file that maps CSV columns to fields (see src/ingest/README.md)");
  const mappingPath = path.resolve(values.mapping);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(mappingPath, "utf8"));
  } catch (err) {
    throw new UsageError(`Cannot read the mapping ${values.mapping}: ${(err as Error).message}`);
  }
  if (values.entity !== undefined && !(ENTITY_NAMES as readonly string[]).includes(values.entity)) {
    throw new UsageError(`--entity must be one of ${ENTITY_NAMES.join(", ")} (got "${values.entity}")`);
  }
  const baseDir = path.resolve(values.dir ?? path.dirname(mappingPath));
  let mappings = parseMapping(values.entity && !hasFiles(json) ? { ...(json as object), entity: values.entity } : json, baseDir);
  if (values.entity) mappings = mappings.filter((m) => m.entity === (values.entity as EntityName));
  if (values.file) {
    if (mappings.length !== 1) throw new UsageError(`--file needs a mapping with one ${values.entity ?? "entity"} entry (give --entity to pick one of a multi-file mapping)`);
    mappings = [{ ...mappings[0]!, file: path.resolve(values.file) }];
  }
  if (mappings.length === 0) throw new UsageError(`The mapping has no entry for ${values.entity}`);
  return mappings.map((m) => {
    if (!m.file) throw new MappingError(`The mapping for ${m.entity} names no file: add "file" to it, or pass --file`);
    return { path: m.file, mapping: values.delimiter ? { ...m, delimiter: values.delimiter } : m };
  });
}

/** The mapping's `source`, else its file name without `.mapping.json`: how warnings and `data_sources` name the data. */
function sourceOf(mappingPath: string): string {
  try {
    const json = JSON.parse(fs.readFileSync(mappingPath, "utf8")) as { source?: unknown };
    if (typeof json.source === "string" && json.source.trim() !== "") return json.source.trim();
  } catch { /* importFiles has reported an unreadable mapping already */ }
  return path.basename(mappingPath).replace(/(\.mapping)?\.json$/i, "");
}

function hasFiles(json: unknown): boolean {
  return typeof json === "object" && json !== null && "files" in json;
}

function describe(s: ImportSummary): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const lines = s.files.map((f) =>
    `  ${path.basename(f.file).padEnd(24)} ${f.entity.padEnd(9)} ${n(f.rows).padStart(10)} rows: ${n(f.inserted)} inserted, ${n(f.updated)} updated, ${n(f.unchanged)} unchanged, ${n(f.held)} held, ${n(f.stitched)} stitched, ${n(f.rejected)} rejected (${f.seconds.toFixed(1)} s)`);
  const head = s.committed
    ? `Imported ${n(s.rows)} rows in ${s.seconds.toFixed(1)} s (${n(Math.round(s.rowsPerSecond))} rows/s):`
    : `Nothing was written: --strict and ${n(s.rejected)} rows were rejected.`;
  const tail = s.rejected > 0
    ? `${n(s.rejected)} rows could not be placed; each is listed with its line and reason in ${s.rejectFile}`
    : `No rows were rejected (${s.rejectFile} has only its header).`;
  return `${[head, ...lines, tail].join("\n")}\n`;
}
