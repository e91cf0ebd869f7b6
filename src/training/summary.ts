import type { ModelRow } from "../scoring/model.types";
import type { ComponentWeightChange, CriterionChange, ProposedWeights } from "./proposal";
import type { DatasetSummary, ProposalDetails, TrainingMetrics } from "./training-report";

const pct = (x: number) => `${Math.round(x * 100)}%`;
const pts = (x: number) => String(Number(x.toFixed(Math.abs(x) >= 10 ? 1 : 2)));
const odds = (effect: number | null) => (effect === null ? "" : `odds ×${Math.exp(effect) >= 10 ? Math.exp(effect).toFixed(1) : Math.exp(effect).toFixed(2)} at its 95th-percentile value`);
/** "a, b and c"; long lists name the first eight and count the rest. */
const list = (items: string[]) => {
  const shown = items.length > 9 ? [...items.slice(0, 8), `${items.length - 8} more`] : items;
  return shown.length <= 1 ? shown.join("") : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
};

/**
 * The plain-language account of a proposal for the council: the data, how well the fit and the
 * current model rank won above lost deals, what changed and why, what is flagged, and what
 * the data suggest adding. Numbers are the report's.
 */
export function trainingSummary(input: {
  runId: string;
  base: Pick<ModelRow, "name" | "version">;
  dataset: DatasetSummary;
  metrics: TrainingMetrics;
  proposed: ProposedWeights;
  details: ProposalDetails;
}): string {
  const { base, dataset: d, metrics: m, proposed, details } = input;
  const f3 = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));
  const lines: string[] = [...(details.headlines ?? [])];
  lines.push(`Training run ${input.runId} re-weighted ${base.name} v${base.version} on ${d.deals} closed deals (${d.won} won, ${d.lost} lost), each scored as of the deal's creation, so nothing that happened later counts.`);
  const fitParts = [
    m.crossValidation ? `cross-validated AUC ${f3(m.crossValidation.outOfFold.auc)}` : null,
    m.holdout ? `holdout AUC ${f3(m.holdout.auc)}` : null,
  ].filter((x): x is string => x !== null);
  lines.push(`The fitted model ranks won above lost deals with ${fitParts.join(" and ") || "no out-of-sample measure"}; the current model's score reaches ${f3(m.currentModelAuc)} on the same deals and the proposed weights ${f3(m.proposedModelAuc)} (in-sample). ${details.verdict}`);
  lines.push(`Component weights: ${proposed.weights.filter((w) => w.before !== 0 || w.after !== 0).map((w: ComponentWeightChange) => `${w.component.toLowerCase()} ${pct(w.before)} → ${pct(w.after)}`).join(", ")}.`);
  // Gains and cuts in weight: a penalty shrinking toward 0 is a cut, like a bonus shrinking.
  const shift = (c: CriterionChange) => Math.abs(c.after) - Math.abs(c.before);
  const moved = [...proposed.changes].filter((c) => c.effect !== null).sort((a, b) => Math.abs(shift(b)) - Math.abs(shift(a)));
  const describe = (c: CriterionChange) => `${c.label} ${pts(c.before)} → ${pts(c.after)} points of the total (${odds(c.effect)}${c.spansZero ? ", interval spans no effect" : ""})`;
  const gains = moved.filter((c) => shift(c) > 0).slice(0, 3);
  const cuts = moved.filter((c) => shift(c) < 0).slice(0, 3);
  if (gains.length) lines.push(`Biggest gains: ${list(gains.map(describe))}.`);
  if (cuts.length) lines.push(`Biggest cuts: ${list(cuts.map(describe))}.`);
  const flagged = (flag: CriterionChange["flags"][number]) => proposed.changes.filter((c) => c.flags.includes(flag)).map((c) => c.label);
  const spans = flagged("SPANS_ZERO");
  if (spans.length) lines.push(`No evidence to change: ${spans.length} criteria whose 95% interval spans no effect keep their current points (${list(spans)}).`);
  const negative = proposed.changes.filter((c) => c.flags.includes("NEGATIVE_EFFECT"));
  const penalties = negative.filter((c) => c.after < 0).map((c) => c.label);
  const zeroed = negative.filter((c) => c.after >= 0).map((c) => c.label);
  if (penalties.length) lines.push(`Deals were won clearly less often with ${list(penalties)}, all else equal: ${penalties.length > 1 ? "they now take" : "it now takes"} points away.`);
  if (zeroed.length) lines.push(`Deals were won clearly less often with ${list(zeroed)}, all else equal, but committee criteria cannot take points away: 0 points.`);
  // Criteria worth 0 points now (e.g. a breadth bonus of 0) could never move: not worth a line.
  const constant = flagged("NOT_ESTIMABLE").concat(flagged("RARE"));
  if (constant.length) lines.push(`Not estimable from these deals (never varies, or fewer than 1 in 20 deals have it), so no evidence to change: ${list(constant)} keep their points.`);
  const duplicates = proposed.changes.filter((c) => c.flags.includes("DUPLICATE") && c.pointsBefore !== 0).map((c) => c.label);
  if (duplicates.length) lines.push(`Identical to another criterion in these deals, which carries the effect, so 0 points: ${list(duplicates)}.`);
  const kept = flagged("KEPT_PENALTY");
  if (kept.length) lines.push(`Disqualifiers keep their points: ${list(kept)}.`);
  if (details.winRateByBand.length) {
    // Every band, with its deal counts and a 95% interval: a top band of 10 deals says little.
    const rate = (won: number, deals: number, low: number | null, high: number | null) =>
      (deals === 0 ? "no deals" : `${won} of ${deals} won (${pct(won / deals)}, 95% interval ${pct(low ?? 0)}–${pct(high ?? 1)})`);
    lines.push(`Win rate by band, current weights → proposed: ${details.winRateByBand.map((b) =>
      `${b.band} ${rate(b.currentWon, b.currentDeals, b.currentLow, b.currentHigh)} → ${rate(b.proposedWon, b.proposedDeals, b.proposedLow, b.proposedHigh)}`).join("; ")}.`);
  }
  if (details.suggestedCriteria.length) {
    lines.push(`Suggested new criteria (not in the model yet; a real effect after correcting for the number of candidates tested): ${list(details.suggestedCriteria.slice(0, 5).map((s) => `${s.label} (${odds(s.effect)}, adjusted p ${s.adjustedPValue < 0.001 ? "< 0.001" : s.adjustedPValue.toFixed(3)})`))}.`);
  }
  return lines.join("\n");
}
