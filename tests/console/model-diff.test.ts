/** The console's model diff (console/src/diff.ts), a pure function: what a council member reads. */
import { describe, expect, it } from "vitest";
import { diffDefinitions, humanize } from "../../console/src/diff";
import { DEFAULT_MODEL_INPUT } from "../../src/scoring/default-model";

const base = JSON.parse(JSON.stringify(DEFAULT_MODEL_INPUT));

describe("diffDefinitions", () => {
  it("finds nothing between a definition and itself, whatever the order of its rules", () => {
    const shuffled = { ...base, fitRules: [...base.fitRules].reverse(), engagementRules: [...base.engagementRules].reverse() };
    expect(diffDefinitions(base, shuffled)).toEqual([]);
  });

  it("names a changed weight, a rule's points and cap by the rule's label and key", () => {
    const after = JSON.parse(JSON.stringify(base));
    after.weights.fit = 0.4;
    after.weights.engagement = 0.2;
    after.fitRules[0].points = 12.345678;
    after.engagementRules[0].capPerAccount = 99;
    const lines = diffDefinitions(base, after);
    expect(lines).toEqual([
      { section: "Component weights", item: "fit", setting: "", before: "0.35", after: "0.4", kind: "changed" },
      { section: "Component weights", item: "engagement", setting: "", before: "0.25", after: "0.2", kind: "changed" },
      { section: "Fit rules", item: `${base.fitRules[0].label} (${base.fitRules[0].key})`, setting: "points", before: String(base.fitRules[0].points), after: "12.35", kind: "changed" },
      { section: "Engagement rules", item: `${base.engagementRules[0].label} (${base.engagementRules[0].key})`, setting: "cap per account",
        before: String(base.engagementRules[0].capPerAccount), after: "99", kind: "changed" },
    ]);
  });

  it("shows an added and a removed rule as one line each, with what it tests", () => {
    const after = JSON.parse(JSON.stringify(base));
    const removed = after.fitRules.shift();
    after.fitRules.push({ key: "tier_a", label: "Tier A", field: "tier", operator: "EQ", values: ["A"], points: 5 });
    const lines = diffDefinitions(base, after);
    expect(lines).toContainEqual({ section: "Fit rules", item: `${removed.label} (${removed.key})`, setting: "", before: expect.stringContaining(`${removed.points} points`), after: null, kind: "removed" });
    expect(lines).toContainEqual({ section: "Fit rules", item: "Tier A (tier_a)", setting: "", before: null, after: "5 points, tier EQ A", kind: "added" });
    expect(lines).toHaveLength(2);
  });

  it("compares bands by name and thresholds by setting, and leaves derived criteria out", () => {
    const after = JSON.parse(JSON.stringify(base));
    after.bands[1].minScore = 45;
    after.thresholds.sqa = 70;
    const lines = diffDefinitions({ ...base, criteria: [{ key: "a" }] }, { ...after, criteria: [{ key: "b" }] });
    expect(lines.map((l) => [l.section, l.item, l.setting, l.before, l.after])).toEqual([
      ["Bands", after.bands[1].name, "min score", String(base.bands[1].minScore), "45"],
      ["Thresholds", "sqa", "", String(base.thresholds.sqa), "70"],
    ]);
  });

  it("reads camelCase settings as words", () => {
    expect(humanize("capPerAccount")).toBe("cap per account");
    expect(humanize("thresholds.minEngagedContacts")).toBe("thresholds › min engaged contacts");
  });
});
