import type { ModelRow } from "../scoring/model.types";
import type { ComponentWeightChange, CriterionChange, ProposedWeights } from "./proposal";
import { SPANS_ZERO_FACTOR } from "./proposal";
import type { DatasetSummary, ProposalDetails, TrainingMetrics } from "./training-report";

const pct = (x: number) => `${Math.round(x * 100)}%`;
const pts = (x: number) => String(Number(x.toFixed(Math.abs(x) >= 10 ? 1 : 2)));
const odds = (effect: number | null) => (effect === null ? "" : `odds ×${Math.exp(effect) >= 10 ? Math.exp(effect).toFixed(1) : Math.exp(effect).toFixed(2)} at full strength`);
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
  const lines: string[] = [];
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
  if (spans.length) lines.push(`Flagged: ${spans.length} criteria whose 95% interval spans no effect keep ${SPANS_ZERO_FACTOR * 100}% of their estimated effect (${list(spans)}).`);
  const negative = proposed.changes.filter((c) => c.flags.includes("NEGATIVE_EFFECT"));
  const penalties = negative.filter((c) => c.after < 0).map((c) => c.label);
  const zeroed = negative.filter((c) => c.after >= 0).map((c) => c.label);
  if (penalties.length) lines.push(`Deals were won clearly less often with ${list(penalties)}, all else equal: ${penalties.length > 1 ? "they now take" : "it now takes"} points away.`);
  if (zeroed.length) lines.push(`Deals were won less often with ${list(zeroed)}, all else equal, but not clearly so: 0 points.`);
  // Criteria worth 0 points now (e.g. a breadth bonus of 0) could never move: not worth a line.
  const missing = proposed.changes.filter((c) => (c.flags.includes("NOT_ESTIMABLE") || c.flags.includes("DUPLICATE")) && c.pointsBefore !== 0).map((c) => c.label);
  if (missing.length) lines.push(`Not estimable from these deals (never varies, or repeats another criterion), so 0 points: ${list(missing)}.`);
  const kept = flagged("KEPT_PENALTY");
  if (kept.length) lines.push(`Penalties the deals cannot test keep their points: ${list(kept)}.`);
  const top = details.winRateByBand[0];
  if (top) {
    const rate = (r: number | null, deals: number) => (r === null ? "no deals" : `${pct(r)} of ${deals} deals`);
    lines.push(`Win rate in the top band (${top.band}): ${rate(top.current, top.currentDeals)} under the current weights, ${rate(top.proposed, top.proposedDeals)} under the proposed ones.`);
  }
  if (details.suggestedCriteria.length) {
    lines.push(`Suggested new criteria (not in the model yet; a real effect after correcting for the number of candidates tested): ${list(details.suggestedCriteria.slice(0, 5).map((s) => `${s.label} (${odds(s.effect)}, adjusted p ${s.adjustedPValue < 0.001 ? "< 0.001" : s.adjustedPValue.toFixed(3)})`))}.`);
  }
  return lines.join("\n");
}
