/**
 * The proposal math on hand-made coefficients: points proportional to the effects at each
 * criterion's 95th-percentile raw value, the 0–100 total kept, "no evidence to change", flags,
 * committee and engagement scaling, raw values, cut-offs and the Holm correction.
 */
import { describe, expect, it } from "vitest";
import type { CoefficientEstimate } from "../../ml";
import { DEFAULT_EVENT_TYPES } from "../../src/platform/config/config";
import { normaliseModelInput, type ScoringModelInputData } from "../../src/scoring/model-validation";
import { criterionFeatures } from "../../src/training/criteria";
import { matchCutoffs, proposeWeights } from "../../src/training/proposal";
import { p95Columns, rawProbes, rawValues } from "../../src/training/raw-criteria";
import { holm, wilson } from "../../src/training/training-report";

const input: ScoringModelInputData = {
  name: "unit",
  weights: { fit: 0.5, engagement: 0.3, intent: 0, committee: 0.2 },
  fitRules: [
    { key: "software", label: "Software", field: "industry", operator: "EQ", values: ["Software"], points: 50 },
    { key: "big", label: "Big", field: "employees", operator: "GTE", min: 1000, points: 50 },
    { key: "tiny", label: "Tiny", field: "employees", operator: "LTE", max: 10, points: 20 },
    { key: "competitor", label: "Competitor", field: "attributes.type", operator: "EQ", values: ["competitor"], points: -100, disqualify: true },
  ],
  engagementRules: [
    { key: "demos", label: "Demos", eventTypes: ["demo_request"], points: 20, halfLifeDays: 30, lookbackDays: 90, capPerContact: 20, capPerAccount: 40 },
    { key: "opens", label: "Opens", eventTypes: ["email_open"], points: 1, halfLifeDays: 30, lookbackDays: 90, capPerContact: 2, capPerAccount: 4 },
  ],
  committee: { requiredRoles: ["DECISION_MAKER", "CHAMPION"], pointsPerRole: 30, minEngagedContacts: 3, breadthBonus: 40, engagedThreshold: 10 },
  bands: [{ name: "Cold", minScore: 0 }, { name: "Hot", minScore: 50 }],
  thresholds: { nurture: 10, mqa: 30, sqa: 50, minFit: 20, minEngagedContacts: 1 },
};
const base = { id: "1", name: "unit", version: 3, definition: normaliseModelInput(input, { eventTypes: DEFAULT_EVENT_TYPES }).definition };
const features = criterionFeatures(base.definition);

/** The 95th percentile of each criterion's raw value over the (imagined) training deals: fit rules and roles are 0/1, demos and opens event counts. */
const p95 = new Map([
  ["software", 1], ["big", 1], ["tiny", 1], ["competitor", 1], ["demos", 2], ["opens", 4],
  ["committee.DECISION_MAKER", 1], ["committee.CHAMPION", 1], ["committee.breadth", 0],
]);

/** A coefficient per raw unit whose effect at the p95 value is `effect` log-odds, with a ±`half` interval on that scale. */
function coef(feature: string, effect: number, half: number): CoefficientEstimate {
  const q = p95.get(feature)!;
  const estimate = effect / q;
  const se = Math.abs(half / q) / 1.959963984540054;
  const ciLow = estimate - 1.959963984540054 * se;
  const ciHigh = estimate + 1.959963984540054 * se;
  return { name: feature, estimate, standardized: 0, stdError: se, ciLow, ciHigh, zValue: estimate / se, pValue: 0.01, oddsRatio: Math.exp(estimate), spansZero: ciLow <= 0 && ciHigh >= 0 };
}

describe("criterionFeatures", () => {
  it("names one feature per criterion with its full-strength value", () => {
    expect(features.map((f) => [f.feature, f.fullStrength])).toEqual([
      ["software", 50], ["big", 50], ["tiny", 20], ["competitor", -100],
      ["demos", 40], ["opens", 4],
      ["committee.DECISION_MAKER", 30], ["committee.CHAMPION", 30], ["committee.breadth", 40],
    ]);
  });
});

describe("proposeWeights", () => {
  // Effects at the p95 value (log-odds): software 1.0, big 0.5 (spans zero → keeps 50), tiny −0.4 (spans zero → keeps 20),
  // demos 1.5 (p95 2 events), opens −0.8 (p95 4 events, clearly harmful → a penalty), DM 0.6, champion 0.2, breadth constant (keeps 40).
  const coefficients = new Map([
    coef("software", 1.0, 0.3), coef("big", 0.5, 0.6), coef("tiny", -0.4, 0.6),
    coef("demos", 1.5, 0.5), coef("opens", -0.8, 0.3), coef("committee.DECISION_MAKER", 0.6, 0.2), coef("committee.CHAMPION", 0.2, 0.1),
  ].map((c) => [c.name, c]));
  const dropped = new Map([["committee.breadth", { name: "committee.breadth", reason: "constant" as const, duplicateOf: null, detail: "constant" }]]);
  const proposal = proposeWeights({ base, runId: "9", features, coefficients, dropped, p95 })!;
  const change = (key: string) => proposal.changes.find((c) => c.criterion === key)!;
  // Positive effects re-weighted: 1.0 + 1.5 + 0.6 + 0.2 = 3.3 → 100 / 3.3 points per log-odds.
  const c = 100 / 3.3;
  const kept = (x: { flags: string[] }) => x.flags.some((f) => ["SPANS_ZERO", "NOT_ESTIMABLE", "RARE", "KEPT_PENALTY"].includes(f));

  it("gives points of the total proportional to the effects at the 95th percentile, the re-weighted ones summing to 100", () => {
    expect(proposal.pointsPerLogOdds).toBeCloseTo(c, 10);
    expect(change("software").after).toBeCloseTo(c * 1.0, 1);
    expect(change("demos").after).toBeCloseTo(c * 1.5, 1);
    expect(change("demos").p95).toBe(2);
    const positive = proposal.changes.filter((x) => x.after > 0 && !kept(x)).reduce((s, x) => s + x.after, 0);
    expect(positive).toBeCloseTo(100, 0);
  });

  it("derives component weights from the summed effects and rescales rule points within them", () => {
    const w = Object.fromEntries(proposal.weights.map((x) => [x.component, x.after]));
    // Weights are stored to 4 decimals.
    expect(w.FIT).toBeCloseTo(1.0 / 3.3, 3);
    expect(w.ENGAGEMENT).toBeCloseTo(1.5 / 3.3, 3);
    expect(w.COMMITTEE).toBeCloseTo(0.8 / 3.3, 3);
    expect(w.INTENT).toBe(0);
    expect(w.FIT! + w.ENGAGEMENT! + w.INTENT! + w.COMMITTEE!).toBeCloseTo(1, 12);
    // Software is the fit component's only re-weighted positive rule: 100 points at p95 (one match).
    expect(proposal.input.fitRules![0]!.points).toBeCloseTo(100, 3);
  });

  it("keeps the points of criteria whose interval spans zero (no evidence to change) and makes a clearly harmful one a penalty", () => {
    expect(change("big").flags).toEqual(["SPANS_ZERO"]);
    expect([change("big").pointsBefore, change("big").pointsAfter]).toEqual([50, 50]);
    expect(change("big").note).toMatch(/no evidence to change/);
    expect(change("tiny").flags).toEqual(["SPANS_ZERO"]);
    expect(proposal.input.fitRules![2]!.points).toBe(20);
    expect(change("opens").flags).toEqual(["NEGATIVE_EFFECT"]);
    expect(change("opens").after).toBeCloseTo(c * -0.8, 1);
    expect(proposal.input.engagementRules![1]!.points).toBeLessThan(0);
  });

  it("sets an engagement rule's points per event from its p95 count and keeps its caps at the same number of events", () => {
    // demos: 100 points of engagement at p95 = 2 events → 50 per event; caps of 1 and 2 events (20 and 40 at 20 per event) → 50 and 100.
    const demos = proposal.input.engagementRules![0]!;
    expect(demos.points).toBeCloseTo(50, 3);
    expect(demos.capPerContact).toBeCloseTo(50, 3);
    expect(demos.capPerAccount).toBeCloseTo(100, 3);
    // The odds at p95 are what the council reads, not at a cap no deal reaches.
    expect(change("demos").oddsRatio).toBeCloseTo(Math.exp(1.5), 6);
  });

  it("keeps disqualifiers and criteria the data cannot weigh, and shares one value among required roles", () => {
    expect(change("competitor").flags).toEqual(["KEPT_PENALTY"]);
    expect(proposal.input.fitRules![3]).toMatchObject({ points: -100, disqualify: true });
    expect(change("breadth").flags).toEqual(["NOT_ESTIMABLE"]);
    expect(proposal.input.committee!.breadthBonus).toBe(40);
    // DM 0.6 and champion 0.2 of a committee total 0.8 → 75 and 25 → one pointsPerRole of 50.
    expect(proposal.input.committee!.pointsPerRole).toBeCloseTo(50, 3);
    expect(change("DECISION_MAKER").flags).toContain("SHARED_POINTS");
  });

  it("is a new DRAFT version of the same line, based on the base version, that validates", () => {
    expect(proposal.input).toMatchObject({ name: "unit", basedOnId: "1" });
    expect(() => normaliseModelInput(proposal.input, { eventTypes: DEFAULT_EVENT_TYPES })).not.toThrow();
    expect(proposal.input.bands).toEqual(input.bands.map((b) => ({ ...b, slaHours: null, play: null })));
  });

  it("proposes nothing when no criterion clearly helps win", () => {
    const none = new Map([coef("software", -1, 0.3)].map((x) => [x.name, x]));
    expect(proposeWeights({ base, runId: "9", features, coefficients: none, dropped: new Map(), p95 })).toBeNull();
    const uncertain = new Map([coef("software", 0.4, 0.6), coef("demos", 0.2, 0.5)].map((x) => [x.name, x]));
    expect(proposeWeights({ base, runId: "9", features, coefficients: uncertain, dropped: new Map(), p95 })).toBeNull();
  });
});

describe("raw criterion values", () => {
  it("divide each part by its points, measure zero-point criteria by a probe, and take the nearest-rank 95th percentile", () => {
    const def = normaliseModelInput({ ...input, fitRules: [...input.fitRules!, { key: "zero", label: "Zero", field: "industry", operator: "EQ", values: ["Media"], points: 0 }] }, { eventTypes: DEFAULT_EVENT_TYPES }).definition;
    const probes = rawProbes(def);
    expect(probes.engagement).toBeNull();
    expect(probes.others!.fitRules[4]!.points).toBe(1);
    // parts: software matched (50), big not, tiny matched (20), competitor not, zero (0 points), demos 30 points (1.5 events), opens 3, roles, breadth.
    const parts = [50, 0, 20, 0, 0, 30, 3, 30, 0, 40];
    const probe = [50, 0, 20, 0, 1, 30, 3, 30, 0, 40];
    expect(rawValues(def, parts, { others: probe })).toEqual([1, 0, 1, 0, 1, 1.5, 3, 1, 0, 1]);
    expect(wilson(3, 10).map((x) => Number(x!.toFixed(3)))).toEqual([0.108, 0.603]);
    const X = Float64Array.from(Array.from({ length: 100 }, (_, i) => [i < 90 ? 0 : 1, i]).flat());
    expect(p95Columns(X, 100, 2)).toEqual([1, 94]);
  });
});

describe("matchCutoffs", () => {
  it("keeps each cut-off's share of the deals under the new totals", () => {
    // 2 of 4 deals reach 55 now; the 2nd highest proposed total is 30.
    expect(matchCutoffs([10, 40, 60, 80], [5, 20, 30, 50], [0, 35, 55], true)).toEqual([0, 20, 30]);
    // Strictly increasing band minimums, even when shares collapse onto one value.
    expect(matchCutoffs([10, 20, 30, 40], [5, 5, 5, 5], [0, 15, 25], true)).toEqual([0, 5, 5.1]);
    // A cut-off no deal reaches stays out of reach.
    expect(matchCutoffs([10, 20], [50, 60], [0, 90], true)).toEqual([0, 90]);
    expect(matchCutoffs([10, 20], [50, 95.04], [0, 90], true)).toEqual([0, 95.1]);
  });
});

describe("holm", () => {
  it("adjusts p-values step-down and keeps them monotone", () => {
    const adjusted = holm([0.01, 0.04, 0.03]);
    expect(adjusted[0]).toBeCloseTo(0.03, 12);
    expect(adjusted[1]).toBeCloseTo(0.06, 12);
    expect(adjusted[2]).toBeCloseTo(0.06, 12);
  });
});
