import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { regionOfCountry } from "../../src/ingest/import/country-regions";
import { compileRowMapper, MappingError, parseMapping } from "../../src/ingest/import/import-mapping";

describe("region from country", () => {
  it("knows names, codes and spellings CRMs export, and nothing it does not know", () => {
    expect(["United States", "USA", "us", "Canada"].map(regionOfCountry)).toEqual(["NA", "NA", "NA", "NA"]);
    expect(["Germany", "DE", "the Netherlands", "Côte d'Ivoire", "Kenya"].map(regionOfCountry)).toEqual(["EMEA", "EMEA", "EMEA", "EMEA", "EMEA"]);
    expect(["Brazil", "Panama", "MX"].map(regionOfCountry)).toEqual(["LATAM", "LATAM", "LATAM"]);
    expect(["Japan", "Korea", "Philippines", "au"].map(regionOfCountry)).toEqual(["APAC", "APAC", "APAC", "APAC"]);
    expect(regionOfCountry("Atlantis")).toBeNull();
  });

  it("is a mapping option of region only, applied after the value map", () => {
    const [file] = parseMapping({ entity: "accounts", fields: { domain: "d", name: "n", region: { column: "c", map: { Philipines: "Philippines" }, regionFromCountry: true } } }, ".");
    const mapper = compileRowMapper(file!, ["d", "n", "c"], "accounts.csv");
    expect(mapper.map(["a.example", "A", "Philipines"]).input.region).toBe("APAC");
    expect(mapper.map(["b.example", "B", "Atlantis"]).input.region).toBeNull();
    expect(() => parseMapping({ entity: "accounts", fields: { domain: "d", name: "n", country: { column: "c", regionFromCountry: true } } }, "."))
      .toThrow(MappingError);
  });
});
