import type { TrainingRunView } from "./training-report";

/** Chart colours (also used by tests that look at the rendered pixels). */
export const CURRENT_COLOUR = "#8c959f";
export const PROPOSED_COLOUR = "#1f6feb";
export const EFFECT_COLOUR = "#0a7d45";
export const UNCERTAIN_COLOUR = "#d4a72c";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const num = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 100) / 100) : "0");
const f3 = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(3));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);
const odds = (effect: number | null) => (effect === null ? "–" : `×${Math.exp(effect) >= 10 ? Math.exp(effect).toFixed(1) : Math.exp(effect).toFixed(2)}`);

/** Effects beyond this many log-odds (separation) are drawn clipped at the edge. */
const EFFECT_LIMIT = 8;

/**
 * The council's page for one training run: self-contained HTML (inline SVG and CSS, no script,
 * nothing fetched), with the coefficients and their intervals, the calibration curve, the win
 * rate by band under current and proposed weights, and every table behind them. Chart
 * elements carry their numbers as data attributes, so tests (and tools) can check them.
 */
export function trainingReportHtml(view: TrainingRunView): string {
  const r = view.report;
  const p = view.proposal;
  const title = `Training run ${view.id}${view.baseModel ? ` — ${view.baseModel.name} v${view.baseModel.version}` : ""}`;
  const sections: string[] = [];
  sections.push(`<h1>${esc(title)}</h1>`);
  sections.push(`<p class="meta">Status <b>${esc(view.status)}</b>${view.error ? ` — ${esc(view.error)}` : ""}. Started by ${esc(view.startedBy ?? "–")} at ${esc(view.startedAt ?? view.createdAt)}; backend ${esc(view.backend ?? "–")}; L2 ${view.params.l2}, seed ${view.params.seed}, holdout ${view.params.holdoutShare}, ${view.params.folds} folds.</p>`);
  if (view.dataset) {
    const d = view.dataset;
    sections.push(`<p class="meta" data-deals="${d.deals}" data-won="${d.won}" data-lost="${d.lost}">${d.deals} closed deals (${d.won} won, ${d.lost} lost), created ${esc(d.firstCreatedAt ?? "–")} to ${esc(d.lastCreatedAt ?? "–")}; each row is the base model's ${d.features} criteria as of the deal's creation (${d.usedFeatures} used by the fit).</p>`);
  }
  if (p) sections.push(`<section class="summary"><h2>Proposal ${esc(p.id)}: ${esc(p.proposedModel ? `${p.proposedModel.name} v${p.proposedModel.version}` : "")} — ${esc(p.status)}</h2>${p.summary.split("\n").map((line) => `<p>${esc(line)}</p>`).join("")}</section>`);
  if (r) {
    sections.push(metricsTable(view));
    sections.push(coefficientChart(r.coefficients));
    sections.push(calibrationChart(r.calibration.bins, r.calibration.source));
  }
  if (p) {
    sections.push(winRateChart(p.winRateByBand));
    sections.push(changesTable(p));
    sections.push(cutoffTable(p));
    if (p.suggestedCriteria.length) sections.push(suggestionsTable(p));
    sections.push(reviewsTable(p));
  }
  if (r?.warnings.length) sections.push(`<section><h2>Warnings</h2><ul class="warnings">${r.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul></section>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; color: #1f2328; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: #57606a; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
figure.chart { margin: 16px 0; } figcaption { font-weight: 600; margin-bottom: 6px; }
.flag { display: inline-block; font-size: 11px; padding: 0 4px; border-radius: 3px; background: #fff8c5; margin: 1px; }
.summary p { margin: 4px 0; }
</style></head>
<body>
${sections.join("\n")}
</body></html>
`;
}

function metricsTable(view: TrainingRunView): string {
  const m = view.report!.metrics;
  const cv = m.crossValidation;
  const ho = m.holdout;
  const rows = [
    ["Current model's score, all deals", f3(m.currentModelAuc), "–", "–", "current-all"],
    ["Current model's score, holdout deals", f3(m.currentModelHoldoutAuc), "–", "–", "current-holdout"],
    ["Fitted model, cross-validated (out of fold)", f3(cv?.outOfFold.auc), f3(cv?.outOfFold.logLoss), f3(cv?.outOfFold.brier), "fitted-cv"],
    ["Fitted model, holdout", f3(ho?.auc), f3(ho?.logLoss), f3(ho?.brier), "fitted-holdout"],
    ["Proposed model's score, all deals (in-sample)", f3(m.proposedModelAuc), "–", "–", "proposed-all"],
  ];
  return `<section><h2>How well each ranks won above lost deals</h2>
<table class="metrics"><thead><tr><th>Model</th><th class="n">AUC</th><th class="n">Log loss</th><th class="n">Brier</th></tr></thead><tbody>
${rows.map(([label, a, l, b, key]) => `<tr data-metric="${key}"><td>${esc(label!)}</td><td class="n">${a}</td><td class="n">${l}</td><td class="n">${b}</td></tr>`).join("\n")}
</tbody></table>${view.proposal ? `<p class="verdict" data-outcome="${esc(view.proposal.outcome)}">${esc(view.proposal.verdict)}</p>` : ""}</section>`;
}

/** Forest plot: each criterion's log-odds effect at full strength with its 95 % interval. */
function coefficientChart(coefficients: NonNullable<TrainingRunView["report"]>["coefficients"]): string {
  const rows = coefficients.filter((c) => c.effect !== null);
  const LEFT = 300;
  const PLOT = 520;
  const RIGHT = 120;
  const ROW = 22;
  const TOP = 30;
  const height = TOP + ROW * rows.length + 40;
  const width = LEFT + PLOT + RIGHT;
  const values = rows.flatMap((c) => [c.effectLow!, c.effectHigh!, c.effect!]).map((v) => Math.max(-EFFECT_LIMIT, Math.min(EFFECT_LIMIT, v)));
  const lo = Math.min(0, ...values) - 0.1;
  const hi = Math.max(0, ...values) + 0.1;
  const x = (v: number) => LEFT + ((Math.max(-EFFECT_LIMIT, Math.min(EFFECT_LIMIT, v)) - lo) / (hi - lo)) * PLOT;
  const step = niceStep((hi - lo) / 6);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(Math.round(t * 1000) / 1000);
  const axis = ticks.map((t) => `<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${TOP - 6}" y2="${height - 34}" stroke="#eee"/><text x="${num(x(t))}" y="${height - 20}" text-anchor="middle" font-size="10" fill="#555">${t}</text>`).join("");
  const marks = rows.map((c, i) => {
    const y = TOP + ROW * i + ROW / 2;
    const colour = c.spansZero ? UNCERTAIN_COLOUR : EFFECT_COLOUR;
    const clipped = Math.abs(c.effectLow!) > EFFECT_LIMIT || Math.abs(c.effectHigh!) > EFFECT_LIMIT;
    return `<g class="coef" data-criterion="${esc(c.criterion)}" data-effect="${c.effect}" data-low="${c.effectLow}" data-high="${c.effectHigh}" data-spans-zero="${c.spansZero}"${clipped ? ' data-clipped="true"' : ""}>`
      + `<text x="${LEFT - 8}" y="${y + 4}" text-anchor="end" font-size="11">${esc(truncate(c.label, 46))}</text>`
      + `<line x1="${num(x(c.effectLow!))}" x2="${num(x(c.effectHigh!))}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="3"/>`
      + `<circle cx="${num(x(c.effect!))}" cy="${y}" r="5" fill="${colour}"><title>${esc(`${c.label}: effect ${c.effect!.toFixed(2)} [${c.effectLow!.toFixed(2)}, ${c.effectHigh!.toFixed(2)}], odds ${odds(c.effect)}, p ${c.pValue.toPrecision(2)}`)}</title></circle>`
      + `<text class="odds" x="${LEFT + PLOT + 8}" y="${y + 4}" font-size="11">${esc(odds(c.effect))}</text></g>`;
  }).join("");
  return `<figure class="chart" data-chart="coefficients"><figcaption>Effect of each criterion at full strength on the log-odds of winning, with 95% intervals (amber: interval spans no effect)</figcaption>`
    + `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Coefficients with intervals">`
    + `${axis}<line x1="${num(x(0))}" x2="${num(x(0))}" y1="${TOP - 10}" y2="${height - 34}" stroke="#333" stroke-dasharray="4 3"/>${marks}`
    + `<text x="${LEFT + PLOT / 2}" y="${height - 4}" text-anchor="middle" font-size="11" fill="#333">log-odds of winning (0 = no effect)</text>`
    + `<text x="${LEFT + PLOT + 8}" y="${TOP - 12}" font-size="11" fill="#333">odds ratio</text></svg></figure>`;
}

/** Predicted against observed win rate per bin, with the diagonal of perfect calibration. */
function calibrationChart(bins: NonNullable<TrainingRunView["report"]>["calibration"]["bins"], source: string): string {
  const S = 320;
  const M = 44;
  const size = S + M * 2;
  const x = (v: number) => M + v * S;
  const y = (v: number) => M + S - v * S;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="${y(0)}" y2="${y(1)}" stroke="#eee"/><line x1="${x(0)}" x2="${x(1)}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>`
    + `<text x="${x(t)}" y="${y(0) + 14}" text-anchor="middle" font-size="10" fill="#555">${t * 100}%</text><text x="${x(0) - 6}" y="${y(t) + 3}" text-anchor="end" font-size="10" fill="#555">${t * 100}%</text>`).join("");
  const line = bins.map((b) => `${num(x(b.meanPredicted))},${num(y(b.observedRate))}`).join(" ");
  const points = bins.map((b) => `<circle class="calibration-point" data-bin="${b.bin}" data-predicted="${b.meanPredicted}" data-observed="${b.observedRate}" data-count="${b.count}" cx="${num(x(b.meanPredicted))}" cy="${num(y(b.observedRate))}" r="${num(3 + Math.min(5, Math.sqrt(b.count) / 3))}" fill="${PROPOSED_COLOUR}"><title>${esc(`bin ${b.bin}: predicted ${pct(b.meanPredicted)}, observed ${pct(b.observedRate)} of ${b.count} deals`)}</title></circle>`).join("");
  return `<figure class="chart" data-chart="calibration" data-source="${esc(source)}"><figcaption>Calibration (${esc(source)} predictions): predicted against observed win rate per tenth of deals</figcaption>`
    + `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="Calibration curve">`
    + `${grid}<line class="diagonal" x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#999" stroke-dasharray="5 4"/>`
    + `<polyline points="${line}" fill="none" stroke="${PROPOSED_COLOUR}" stroke-width="2"/>${points}`
    + `<text x="${M + S / 2}" y="${size - 6}" text-anchor="middle" font-size="11">predicted probability of winning</text>`
    + `<text x="12" y="${M + S / 2}" font-size="11" transform="rotate(-90 12 ${M + S / 2})" text-anchor="middle">observed win rate</text></svg></figure>`;
}

/** Win rate per band, current weights against proposed, with the deal counts. */
function winRateChart(rows: NonNullable<TrainingRunView["proposal"]>["winRateByBand"]): string {
  const SLOT = 170;
  const LEFT = 56;
  const TOP = 24;
  const PLOT = 220;
  const width = LEFT + SLOT * rows.length + 20;
  const height = TOP + PLOT + 70;
  const y = (v: number) => TOP + PLOT - v * PLOT;
  const axis = [0, 0.25, 0.5, 0.75, 1].map((t) => `<line x1="${LEFT}" x2="${width - 10}" y1="${num(y(t))}" y2="${num(y(t))}" stroke="#eee"/><text x="${LEFT - 6}" y="${num(y(t) + 3)}" text-anchor="end" font-size="10" fill="#555">${t * 100}%</text>`).join("");
  const bar = (band: string, side: "current" | "proposed", value: number | null, deals: number, won: number, x0: number) => {
    const colour = side === "current" ? CURRENT_COLOUR : PROPOSED_COLOUR;
    const attrs = `data-band="${esc(band)}" data-side="${side}"`;
    if (value === null) return `<text class="no-value" ${attrs} x="${x0 + 25}" y="${num(y(0) - 4)}" text-anchor="middle" font-size="10">no deals</text>`;
    return `<rect class="bar" ${attrs} data-value="${value}" data-deals="${deals}" data-won="${won}" x="${x0}" y="${num(y(value))}" width="50" height="${num(PLOT * value)}" fill="${colour}"><title>${esc(`${band}, ${side}: ${won} of ${deals} won`)}</title></rect>`
      + `<text class="value" ${attrs} x="${x0 + 25}" y="${num(y(value) - 4)}" text-anchor="middle" font-size="11">${pct(value)}</text>`
      + `<text ${attrs} x="${x0 + 25}" y="${TOP + PLOT + 30}" text-anchor="middle" font-size="10" fill="#555">${won}/${deals}</text>`;
  };
  const slots = rows.map((r, i) => {
    const x0 = LEFT + SLOT * i + 20;
    return `<g class="band-slot" data-band="${esc(r.band)}">${bar(r.band, "current", r.current, r.currentDeals, r.currentWon, x0)}${bar(r.band, "proposed", r.proposed, r.proposedDeals, r.proposedWon, x0 + 60)}`
      + `<text x="${x0 + 55}" y="${TOP + PLOT + 16}" text-anchor="middle" font-size="12" font-weight="bold">${esc(r.band)}</text>`
      + `<text x="${x0 + 55}" y="${TOP + PLOT + 46}" text-anchor="middle" font-size="10" fill="#555">≥ ${num(r.minScore)} → ≥ ${num(r.proposedMinScore)}</text></g>`;
  }).join("");
  const legend = `<rect x="${LEFT}" y="4" width="12" height="12" fill="${CURRENT_COLOUR}"/><text x="${LEFT + 16}" y="14" font-size="11">current weights</text>`
    + `<rect x="${LEFT + 130}" y="4" width="12" height="12" fill="${PROPOSED_COLOUR}"/><text x="${LEFT + 146}" y="14" font-size="11">proposed weights</text>`;
  return `<figure class="chart" data-chart="win-rate-by-band"><figcaption>Win rate by band: current against proposed weights (won/closed deals under each bar)</figcaption>`
    + `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Win rate by band">`
    + `${legend}${axis}<line x1="${LEFT}" x2="${width - 10}" y1="${y(0)}" y2="${y(0)}" stroke="#555"/>${slots}</svg></figure>`;
}

function changesTable(p: NonNullable<TrainingRunView["proposal"]>): string {
  const weights = p.componentWeights.map((w) => `<tr data-component="${w.component}"><td>${esc(w.component.toLowerCase())}</td><td class="n">${pct(w.before)}</td><td class="n">${pct(w.after)}</td></tr>`).join("");
  const rows = p.changes.map((c) => `<tr class="change" data-criterion="${esc(c.criterion)}" data-before="${c.before}" data-after="${c.after}">`
    + `<td>${esc(c.label)}</td><td>${esc(c.component.toLowerCase())}</td><td class="n">${num(c.before)}</td><td class="n">${num(c.after)}</td>`
    + `<td class="n">${num(c.pointsBefore)} → ${num(c.pointsAfter)}</td><td class="n">${odds(c.effect)}</td>`
    + `<td class="n">${c.effectLow === null ? "–" : `${odds(c.effectLow)} – ${odds(c.effectHigh)}`}</td><td class="n">${c.pValue === null ? "–" : c.pValue.toPrecision(2)}</td>`
    + `<td>${c.flags.map((f) => `<span class="flag">${esc(f)}</span>`).join("")}</td><td>${esc(c.note)}</td></tr>`).join("\n");
  return `<section><h2>What changed</h2>
<table class="weights"><thead><tr><th>Component</th><th class="n">Weight now</th><th class="n">Proposed</th></tr></thead><tbody>${weights}</tbody></table>
<p class="meta">Engaged threshold ${num(p.engagedThreshold.before)} → ${num(p.engagedThreshold.after)}; ${num(p.pointsPerLogOdds)} points of the total per unit of log-odds.</p>
<table class="changes"><thead><tr><th>Criterion</th><th>Component</th><th class="n">Points of total now</th><th class="n">Proposed</th><th class="n">Rule points</th><th class="n">Odds at the 95th percentile</th><th class="n">95% interval</th><th class="n">p</th><th>Flags</th><th>Why</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

function cutoffTable(p: NonNullable<TrainingRunView["proposal"]>): string {
  const rows = p.cutoffs.map((c) => `<tr data-cutoff="${esc(c.name)}"><td>${esc(c.name)}</td><td class="n">${num(c.before)}</td><td class="n">${num(c.after)}</td><td class="n">${c.dealsBefore}</td><td class="n">${c.dealsAfter}</td></tr>`).join("");
  return `<section><h2>Bands and thresholds</h2><p class="meta">Re-set so each keeps its share of the training deals under the proposed totals.</p>
<table class="cutoffs"><thead><tr><th>Cut-off</th><th class="n">Now</th><th class="n">Proposed</th><th class="n">Deals reaching it now</th><th class="n">Proposed</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function suggestionsTable(p: NonNullable<TrainingRunView["proposal"]>): string {
  const rows = p.suggestedCriteria.map((s) => `<tr class="suggestion" data-label="${esc(s.label)}"><td>${esc(s.label)}</td><td class="n">${s.deals} (${pct(s.share)})</td>`
    + `<td class="n">${pct(s.winRateWith)}</td><td class="n">${pct(s.winRateWithout)}</td><td class="n">${odds(s.effect)}</td><td class="n">${s.adjustedPValue.toPrecision(2)}</td><td class="n">${num(s.suggestedPoints)}</td></tr>`).join("");
  return `<section><h2>Suggested new criteria</h2><p class="meta">Fields and event types the model does not use yet whose effect holds after correcting for the number tested (Holm).</p>
<table class="suggestions"><thead><tr><th>Criterion</th><th class="n">Deals</th><th class="n">Win rate with</th><th class="n">without</th><th class="n">Odds at the 95th percentile</th><th class="n">Adjusted p</th><th class="n">Points of total</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function reviewsTable(p: NonNullable<TrainingRunView["proposal"]>): string {
  if (p.reviews.length === 0) return `<section><h2>Council reviews</h2><p class="meta">No reviews yet: the proposal is ${esc(p.status)}.</p></section>`;
  const rows = p.reviews.map((r) => `<tr><td>${esc(r.reviewer)}</td><td>${esc(r.decision)}</td><td>${esc(r.createdAt)}</td><td>${esc(r.comment)}</td></tr>`).join("");
  return `<section><h2>Council reviews</h2><table class="reviews"><thead><tr><th>Reviewer</th><th>Decision</th><th>When</th><th>Comment</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
