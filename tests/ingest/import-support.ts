import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CsvReader } from "../../src/ingest/import/csv-reader";
import { parseMapping } from "../../src/ingest/import/import-mapping";
import type { ImportSummary } from "../../src/ingest/import/csv-import";
import type { TestServer } from "../support/server";

/** A scratch folder for one test file's CSVs and reject files. */
export function scratchDir(): { dir: string; write(name: string, text: string): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-import-"));
  return {
    dir,
    write: (name, text) => { const file = path.join(dir, name); fs.writeFileSync(file, text); return file; },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs an import through the service the CLI uses. */
export function runImportVia(server: TestServer, mapping: object, baseDir: string, rejectPath: string, opts: { strict?: boolean } = {}): Promise<ImportSummary> {
  const files = parseMapping(mapping, baseDir).map((m) => ({ path: m.file!, mapping: m }));
  return server.app.services.ingest.importFiles({ files, rejectPath, strict: opts.strict });
}

/** The reject file as objects. */
export function readRejects(file: string): { file: string; line: number; key: string; fields: string; reason: string }[] {
  const reader = new CsvReader(",");
  const [, ...rows] = [...reader.push(fs.readFileSync(file, "utf8")), ...reader.end()];
  return rows.map((r) => ({ file: r.fields[0]!, line: Number(r.fields[1]), key: r.fields[2]!, fields: r.fields[3]!, reason: r.fields[4]! }));
}
