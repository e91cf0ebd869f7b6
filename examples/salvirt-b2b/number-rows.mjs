#!/usr/bin/env node
// Salvirt's opportunities carry no id, and 83 rows are exact copies of others (distinct
// opportunities that were qualified alike), so no column or template can key them. This adds
// one: `Opportunity` = opp-001 … opp-448, in file order, and writes LF line endings.
//
//   node examples/salvirt-b2b/number-rows.mjs ../shared/data/salvirt-b2b/Salvirt_B2B_ML_dataset_HF.csv /tmp/salvirt/salvirt-numbered.csv
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The CSV text with an `Opportunity` column first; `;`-separated like the source. */
export function numberRows(text, delimiter = ";") {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length === 0) throw new Error("the file is empty");
  const width = String(lines.length - 1).length < 3 ? 3 : String(lines.length - 1).length;
  return `${[`Opportunity${delimiter}${lines[0]}`, ...lines.slice(1).map((line, i) => `opp-${String(i + 1).padStart(width, "0")}${delimiter}${line}`)].join("\n")}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write("usage: node number-rows.mjs SOURCE.csv OUT.csv\n");
    process.exit(2);
  }
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  fs.writeFileSync(output, numberRows(fs.readFileSync(input, "utf8")));
  process.stderr.write(`wrote ${output}\n`);
}
