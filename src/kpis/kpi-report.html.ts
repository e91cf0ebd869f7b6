import { KPIS, type KpiKey } from "./band-kpi.report";
import type { BandKpiGroup, BandKpiReport, KpiEstimate } from "./band-kpi.type";
import { formatEstimate, formatKpi, formatLift, formatP, formatRate } from "./kpi-format";

/** Bar colours: treated and holdout (also used by tests that look at the rendered pixels). */
export const TREATED_COLOUR = "#1f6feb";
export const HOLDOUT_COLOUR = "#f0a020";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const num = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 100) / 100) : "0");

const SLOT = 150;
const LEFT = 70;
const TOP = 24;
const PLOT = 200;
const BOTTOM = 74;

/** Ticks for 0…max: four steps of a "nice" size. */
function ticks(max: number): number[] {
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 1.5, 2, 2.5, 3, 4, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  return [0, 1, 2, 3, 4].map((i) => i * step);
}

function bar(key: KpiKey, band: string, side: "treated" | "holdout", e: KpiEstimate, x: number, y: (v: number) => number): string {
  const colour = side === "treated" ? TREATED_COLOUR : HOLDOUT_COLOUR;
  const attrs = `data-kpi="${key}" data-band="${esc(band)}" data-side="${side}"`;
  if (e.value === null) {
    return `<text class="no-value" ${attrs} x="${num(x + 20)}" y="${num(y(0) - 4)}" text-anchor="middle" font-size="10" fill="#666">n/a</text>`;
  }
  const top = y(e.value);
  const parts = [
    `<rect class="bar" ${attrs} data-value="${e.value}" x="${num(x)}" y="${num(top)}" width="40" height="${num(Math.max(0, y(0) - top))}" fill="${colour}"><title>${esc(`${band} ${side}: ${formatEstimate(key, e)} (n=${e.n})`)}</title></rect>`,
  ];
  if (e.low !== null && e.high !== null) {
    const cx = x + 20;
    parts.push(`<g class="whisker" ${attrs} data-low="${e.low}" data-high="${e.high}" stroke="#222" stroke-width="1.5">`
      + `<line x1="${num(cx)}" x2="${num(cx)}" y1="${num(y(e.low))}" y2="${num(y(e.high))}"/>`
      + `<line x1="${num(cx - 6)}" x2="${num(cx + 6)}" y1="${num(y(e.low))}" y2="${num(y(e.low))}"/>`
      + `<line x1="${num(cx - 6)}" x2="${num(cx + 6)}" y1="${num(y(e.high))}" y2="${num(y(e.high))}"/></g>`);
  }
  const labelY = Math.min(top, e.high !== null ? y(e.high) : top) - 4;
  parts.push(`<text class="value" ${attrs} x="${num(x + 20)}" y="${num(labelY)}" text-anchor="middle" font-size="10">${esc(formatKpi(key, e.value))}</text>`);
  return parts.join("");
}

/** One KPI across the bands: treated and holdout bars with interval whiskers, the lift and p-value under each band. */
function chart(key: KpiKey, label: string, groups: readonly BandKpiGroup[]): string {
  const values = groups.flatMap((g) => [g.treated[key], g.holdout[key]]).flatMap((e) => [e.value, e.high]).filter((v): v is number => v !== null);
  const max = Math.max(...values, 0);
  const isRate = key === "meetingRate" || key === "opportunityRate" || key === "winRate";
  // Rates above one half get the whole 0–100% scale; anything else a "nice" top just above the data.
  const top = isRate && max > 0.5 ? 1 : max > 0 ? ticks(max * 1.05)[4]! : 1;
  const y = (v: number) => TOP + PLOT - (Math.min(v, top) / top) * PLOT;
  const width = LEFT + SLOT * groups.length + 20;
  const height = TOP + PLOT + BOTTOM;
  const axis = ticks(top).map((t) => `<line x1="${LEFT}" x2="${width - 10}" y1="${num(y(t))}" y2="${num(y(t))}" stroke="#ddd"/>`
    + `<text x="${LEFT - 6}" y="${num(y(t) + 3)}" text-anchor="end" font-size="10" fill="#555">${esc(formatKpi(key, t))}</text>`).join("");
  const slots = groups.map((g, i) => {
    const x0 = LEFT + SLOT * i;
    const lift = g.lift[key];
    const mark = lift.warning ? " !" : lift.significant ? " *" : "";
    return `<g class="band-slot" data-band="${esc(g.band)}">`
      + bar(key, g.band, "treated", g.treated[key], x0 + 25, y)
      + bar(key, g.band, "holdout", g.holdout[key], x0 + 75, y)
      + `<text x="${x0 + 70}" y="${TOP + PLOT + 16}" text-anchor="middle" font-size="12" font-weight="bold">${esc(g.band === "ALL" ? "All bands" : g.band)}</text>`
      + `<text class="lift" data-kpi="${key}" data-band="${esc(g.band)}" data-lift="${lift.estimate ?? ""}" data-low="${lift.low ?? ""}" data-high="${lift.high ?? ""}" data-p="${lift.pValue ?? ""}"`
      + ` x="${x0 + 70}" y="${TOP + PLOT + 34}" text-anchor="middle" font-size="11">lift ${esc(formatLift(lift))}</text>`
      + `<text x="${x0 + 70}" y="${TOP + PLOT + 50}" text-anchor="middle" font-size="11" fill="${lift.warning ? "#b42318" : "#333"}">p ${esc(formatP(lift.pValue))}${mark}`
      + (lift.warning ? `<title>${esc(lift.warning)}</title>` : "") + "</text></g>";
  }).join("");
  return `<figure class="chart" data-kpi="${key}"><figcaption>${esc(label)}</figcaption>`
    + `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)} by band, treated against holdout">`
    + `${axis}<line x1="${LEFT}" x2="${width - 10}" y1="${num(y(0))}" y2="${num(y(0))}" stroke="#555"/>${slots}</svg></figure>`;
}

function groupTable(g: BandKpiGroup): string {
  const rows = KPIS.map(({ key, label }) => {
    const l = g.lift[key];
    return `<tr data-kpi="${key}"><th>${esc(label)}</th><td>${esc(formatEstimate(key, g.treated[key]))}</td><td>${esc(formatEstimate(key, g.holdout[key]))}</td>`
      + `<td>${esc(formatLift(l))}</td><td>${esc(formatP(l.pValue))}</td><td class="warn">${l.warning ? esc(l.warning) : ""}</td></tr>`;
  }).join("");
  const title = g.band === "ALL" ? "All bands" : g.tier ? `${g.band} · tier ${g.tier}` : g.band;
  return `<section class="group" data-band="${esc(g.band)}" data-tier="${esc(g.tier ?? "")}"><h3>${esc(title)} <small>${g.treated.accounts} treated, ${g.holdout.accounts} holdout</small></h3>`
    + `<table><thead><tr><th>KPI</th><th>treated</th><th>holdout</th><th>lift</th><th>p</th><th>warning</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

/**
 * The report as one self-contained HTML page (no scripts, fonts or links to fetch): for each
 * KPI an SVG chart of treated against holdout per band with interval whiskers and the lift,
 * then the numbers as tables, the score-quality section and the warnings.
 */
export function reportHtml(r: BandKpiReport): string {
  const bands = [r.overall, ...r.groups.filter((g) => g.tier === null)];
  const pct = Math.round(r.confidence * 100);
  const q = r.scoreQuality;
  const conversion = q.conversionByBand.map((c) => `<tr><th>${esc(c.band)}</th><td>${c.accounts}</td><td>${c.accountsWon}</td>`
    + `<td>${esc(formatEstimate("meetingRate", c.conversion))}</td><td>${esc(formatEstimate("winRate", c.winRate))} (${c.wonDeals}/${c.closedDeals})</td></tr>`).join("");
  const distribution = q.distributionOverTime.map((d) => `<tr><th>${esc(d.asOf.toISOString().slice(0, 10))}</th><td>run ${esc(d.runId)} (v${d.modelVersion})</td>`
    + `<td>${esc(d.bands.map((b) => `${b.band} ${b.accounts} (${formatRate(b.share)})`).join(" · "))}</td></tr>`).join("");
  const yesNo = (b: boolean | null) => (b === null ? "not enough bands" : b ? "yes" : "no");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Band KPIs — ${esc(r.model)} v${r.modelVersion}, ${esc(r.from.toISOString().slice(0, 10))} to ${esc(r.to.toISOString().slice(0, 10))}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1a1a1a; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 32px; } h3 { font-size: 15px; } small { color: #666; font-weight: normal; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; border: 1px solid #e5e5e5; padding: 8px; } figcaption { font-weight: bold; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border-bottom: 1px solid #eee; padding: 3px 10px; text-align: left; }
td.warn, .warnings li { color: #b42318; }
</style></head>
<body>
<h1>Band KPIs: treated against holdout</h1>
<p>Model <b>${esc(r.model)} v${r.modelVersion}</b>, window <b>${esc(r.from.toISOString())}</b> to <b>${esc(r.to.toISOString())}</b> (end excluded); ${pct}% intervals.
${r.accounts} target accounts: ${r.treatedAccounts} treated, ${r.holdoutAccounts} holdout.</p>
<p>${esc(r.bandRule)}</p>
<p class="legend"><span style="background:${TREATED_COLOUR}"></span>treated<span style="background:${HOLDOUT_COLOUR}"></span>holdout — whiskers are ${pct}% intervals; lift = treated / holdout; * significant, ! too small to conclude anything.</p>
${r.warnings.length ? `<ul class="warnings">${r.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>` : ""}
<h2>Each KPI by band</h2>
<div class="charts">${KPIS.map(({ key, label }) => chart(key, label, bands)).join("\n")}</div>
<h2>Numbers</h2>
${[r.overall, ...r.groups].map(groupTable).join("\n")}
<h2>Is the score right?</h2>
<table class="conversion"><thead><tr><th>band</th><th>accounts</th><th>won</th><th>conversion</th><th>win rate</th></tr></thead><tbody>${conversion}</tbody></table>
<p>Conversion rises with the band: <b>${yesNo(q.monotonic)}</b>; win rate: <b>${yesNo(q.winRateMonotonic)}</b>.
AUC of the score at the window's start: <b class="auc">${q.auc === null ? "–" : q.auc.toFixed(3)}</b> (${q.aucAccounts} scored accounts, ${q.aucPositives} won).</p>
${distribution ? `<table class="distribution"><thead><tr><th>as of</th><th>run</th><th>accounts per band</th></tr></thead><tbody>${distribution}</tbody></table>` : "<p>No scoring runs in the window.</p>"}
<p><small>Seed ${r.seed}, ${r.bootstrapIterations} bootstrap resamples. ${q.notes.map(esc).join(" ")}</small></p>
</body></html>
`;
}
