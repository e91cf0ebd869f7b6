import { describe, expect, it } from "vitest";
import { DEFAULT_EVENT_TYPES } from "../../src/platform/config/config";
import { DEFAULT_MODEL_INPUT } from "../../src/scoring/default-model";
import { fitCondition, globToLike, likeLiteral, SqlParams } from "../../src/scoring/fit-rules.sql";
import { fieldKind, normaliseModelInput, type ScoringModelInputData } from "../../src/scoring/model-validation";
import { accountStatus, bandFor, cap, clamp, clampParts, decay, fitOnlyLeadScore, grade, leadStatus, toReal } from "../../src/scoring/scoring-math";

const base: ScoringModelInputData = {
  name: "unit",
  weights: { fit: 0.5, engagement: 0.5, intent: 0, committee: 0 },
  bands: [{ name: "Cold", minScore: 0 }, { name: "Hot", minScore: 60, slaHours: 24 }],
  thresholds: { nurture: 20, mqa: 40, sqa: 60, minFit: 30, minEngagedContacts: 2 },
};
const def = normaliseModelInput(base, { eventTypes: DEFAULT_EVENT_TYPES }).definition;

describe("decay", () => {
  it("halves per half-life", () => {
    expect(decay(0, 30)).toBe(1);
    expect(decay(30, 30)).toBe(0.5);
    expect(decay(60, 30)).toBe(0.25);
    expect(10 * decay(15, 30)).toBeCloseTo(7.0711, 4); // 10 / √2
  });
});

describe("caps and clamping", () => {
  it("bounds a sum's magnitude", () => {
    expect([cap(26, 20), cap(-26, 20), cap(5, 20), cap(26, null)]).toEqual([20, -20, 5, 26]);
    expect([clamp(-3), clamp(140), clamp(42)]).toEqual([0, 100, 42]);
  });

  it("keeps parts within range, shrinks positives above 100 and negatives below 0, so shares always add up", () => {
    expect(clampParts([30, 20, -5])).toEqual({ value: 45, shares: [30, 20, -5] });
    const over = clampParts([80, 40, -10]); // 110 → 100: positives × (100 + 10) / 120
    expect(over.value).toBe(100);
    expect(over.shares[0]).toBeCloseTo(73.333, 3);
    expect(over.shares[1]).toBeCloseTo(36.667, 3);
    expect(over.shares[2]).toBe(-10);
    const under = clampParts([10, -30]); // −20 → 0: negatives × 10 / 30
    expect(under).toEqual({ value: 0, shares: [10, -10] });
    expect(clampParts([-5, -5]).shares).toEqual([-0, -0]);
    for (const parts of [[80, 40, -10], [10, -30], [55, 60, 70, -20, -1], []]) {
      const { value, shares } = clampParts(parts);
      expect(shares.reduce((s, x) => s + x, 0)).toBeCloseTo(value, 9);
    }
  });
});

describe("bands, grades and statuses", () => {
  it("picks the highest band whose minimum the total reaches", () => {
    expect(bandFor(59.99, def.bands).name).toBe("Cold");
    expect(bandFor(60, def.bands).name).toBe("Hot");
  });

  it("grades fit A–D by engagement 1–4", () => {
    expect([grade(80, 80), grade(50, 49.9), grade(25, 25), grade(0, 0)]).toEqual(["A1", "B3", "C3", "D4"]);
  });

  it("needs total, minimum fit and engaged contacts for SQA", () => {
    const s = (total: number, fit: number, engagedContacts: number, disqualified = false) => accountStatus(def, { total, fit, engagedContacts, disqualified });
    expect(s(65, 80, 2)).toBe("SQA");
    expect(s(65, 80, 1)).toBe("MQA");
    expect(s(65, 20, 5)).toBe("NURTURE");
    expect(s(10, 80, 5)).toBe("UNQUALIFIED");
    expect(s(99, 99, 9, true)).toBe("DISQUALIFIED");
    const l = (total: number, fit: number) => leadStatus(def, { total, fit, disqualified: false });
    expect([l(75, 0), l(45, 0), l(12, 0), l(5, 0)]).toEqual(["SQL", "MQL", "NURTURE", "UNQUALIFIED"]); // default lead thresholds 70 / 40 / 10
  });

  it("scores a contact without engagement on its fit alone", () => {
    const withLeads = normaliseModelInput({
      ...base,
      engagementRules: [{ key: "w", label: "W", eventTypes: ["webinar_attended"], points: 10, halfLifeDays: 30, lookbackDays: 90 }],
      leadRules: {
        weights: { fit: 0.4, engagement: 0.6 },
        fitRules: [{ key: "vp", label: "VP", field: "seniority", operator: "EQ", values: ["VP"], points: 70 }],
        thresholds: { nurture: 10, mql: 25, sql: 60 },
      },
    }, { eventTypes: DEFAULT_EVENT_TYPES }).definition;
    const score = fitOnlyLeadScore(withLeads, [70], false); // 0.4 × 70 = 28 → MQL
    expect(score).toEqual({ total: toReal(28), fit: 70, engagement: 0, status: "MQL", contributions: [28, 0] });
  });
});

describe("model validation", () => {
  it("fills defaults and fixes the criteria order of the stored contributions", () => {
    const m = normaliseModelInput({
      ...base,
      fitRules: [{ key: "sw", label: "Software", field: "industry", operator: "EQ", values: ["Software"], points: 20 }],
      engagementRules: [{ key: "w", label: "Webinars", eventTypes: ["webinar_attended"], points: 10, halfLifeDays: 30, lookbackDays: 90 }],
      intentRules: [{ key: "i", label: "Intent", topics: [" lead scoring ", "lead scoring"], points: 20, halfLifeDays: 14, lookbackDays: 60 }],
    }, { eventTypes: DEFAULT_EVENT_TYPES });
    expect(m.definition.rollup).toBe("NONE");
    expect(m.definition.committee.requiredRoles).toEqual(["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR"]);
    expect(m.definition.intentRules[0]!.topics).toEqual(["lead scoring"]);
    expect(m.definition.criteria.map((c) => `${c.component}:${c.key}`)).toEqual([
      "FIT:sw", "ENGAGEMENT:w", "INTENT:i", "COMMITTEE:DECISION_MAKER", "COMMITTEE:CHAMPION", "COMMITTEE:TECHNICAL_EVALUATOR", "COMMITTEE:breadth",
    ]);
    expect(m.definition.leadCriteria.map((c) => `${c.component}:${c.key}`)).toEqual(["ENGAGEMENT:w"]);
    expect(m.definition.leadRules.weights).toEqual({ fit: 0, engagement: 1 });
  });

  it("accepts the shipped default model", () => {
    expect(() => normaliseModelInput(DEFAULT_MODEL_INPUT, { eventTypes: DEFAULT_EVENT_TYPES })).not.toThrow();
  });

  it("knows which fields rules may test", () => {
    expect(fieldKind("employees", "account")).toBe("number");
    expect(fieldKind("attributes.crm", "account")).toBe("attribute");
    expect(fieldKind("title", "account")).toBeNull();
    expect(fieldKind("title", "contact")).toBe("text");
  });
});

describe("compiled fit conditions", () => {
  it("passes user values as parameters, never as SQL text", () => {
    const p = new SqlParams();
    const sql = fitCondition({ key: "x", label: "x", field: "industry", operator: "IN", values: ["'; DROP TABLE accounts; --"], min: null, max: null, points: 1, disqualify: false }, "account", "a", p);
    expect(sql).not.toContain("DROP");
    expect(p.values).toEqual([["'; drop table accounts; --"]]);
    const attr = new SqlParams();
    expect(fitCondition({ key: "y", label: "y", field: "attributes.Fiscal year-end", operator: "EXISTS", values: [], min: null, max: null, points: 1, disqualify: false }, "account", "a", attr))
      .not.toContain("Fiscal");
    expect(attr.values).toEqual(["Fiscal year-end"]);
  });

  it("turns asset globs and substrings into LIKE patterns with wildcards escaped", () => {
    expect(globToLike("/Careers*")).toBe("/careers%");
    expect(globToLike("*100%_off*")).toBe("%100\\%\\_off%");
    expect(likeLiteral("50%")).toBe("50\\%");
  });
});
