import { describe, expect, it } from "vitest";
import { CsvReader, CsvSyntaxError } from "../../src/ingest/import/csv-reader";

/** Feeds `text` in chunks of `size` characters, so every chunk boundary gets exercised. */
function read(text: string, size = text.length, delimiter = ","): { line: number; fields: string[] }[] {
  const r = new CsvReader(delimiter);
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(...r.push(text.slice(i, i + size)));
  out.push(...r.end());
  return out;
}

const SAMPLE = '\uFEFFid,name,note\r\n1,"Acme, Inc.","said ""hi""\r\nthen left"\r\n\r\n2,Beta,\r\n3,"",x"y\r\n';
const EXPECTED = [
  { line: 1, fields: ["id", "name", "note"] },
  { line: 2, fields: ["1", "Acme, Inc.", 'said "hi"\r\nthen left'] },
  { line: 5, fields: ["2", "Beta", ""] },
  { line: 6, fields: ["3", "", 'x"y'] },
];

describe("CsvReader", () => {
  it("reads BOM, CRLF, quoted delimiters, escaped quotes, line breaks in quotes, blank lines and stray quotes", () => {
    expect(read(SAMPLE)).toEqual(EXPECTED);
  });

  it("gives the same records whatever the chunk boundaries", () => {
    for (let size = 1; size <= 12; size++) expect(read(SAMPLE, size)).toEqual(EXPECTED);
  });

  it("reads LF and lone CR line ends, a last line without a break, and other delimiters", () => {
    expect(read("a;b\n1;2\r3;4", 3, ";")).toEqual([{ line: 1, fields: ["a", "b"] }, { line: 2, fields: ["1", "2"] }, { line: 3, fields: ["3", "4"] }]);
  });

  it("reports a quoted field that never closes", () => {
    expect(() => read('a,b\n1,"open\n2,3\n')).toThrow(CsvSyntaxError);
    expect(() => read('a,b\n1,"open\n2,3\n')).toThrow(/starts on line 2 is never closed/);
  });
});
