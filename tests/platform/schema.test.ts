import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { schemaFile } from "../../src/cli/schema.command";
import { printPublishedSchema } from "../../src/platform/graphql/schema";

describe("schema.graphql", () => {
  it("matches the schema the code builds (run `npm run schema:emit` when this fails)", () => {
    expect(fs.readFileSync(schemaFile, "utf8")).toBe(printPublishedSchema());
  });

  it("keeps the public API names of DESIGN §6", () => {
    const sdl = printPublishedSchema();
    for (const name of ["accounts(", "account(", "contacts("]) expect(sdl).toContain(`  ${name}`);
  });
});
