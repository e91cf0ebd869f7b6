import { ALL_BANDS, KPIS, type KpiKey } from "./band-kpi.report";
import type { BandKpiGroup, BandKpiReport, KpiEstimate, KpiRunDistribution } from "./band-kpi.type";
import { directionOf, formatCounts, formatEstimate, formatKpi, formatLift, formatP, formatRate } from "./kpi-format";
import { bandTitle } from "./kpi-report.text";

/** Bar colours: treated and holdout (also used by tests that look at the rendered pixels). */
export const TREATED_COLOUR = "#1f6feb";
export const HOLDOUT_COLOUR = "#f0a020";
/** Band colours of the trend chart, lowest band first. */
export const TREND_COLOURS = ["#9db4d0", "#5b8fc7", "#2a5d9f", "#173a6b", "#0b1f3d", "#7f7f7f"];

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const num = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 100) / 100) : "0");
const sentence = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}.`;

const SLOT = 150;
const LEFT = 70;
const TOP = 24;
const PLOT = 200;
const BOTTOM = 90;

/** Ticks for 0…max: four steps of a "nice" size. */
function ticks(max: number): number[] {
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 1.5, 2, 2.5, 3, 4, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  return [0, 1, 2, 3, 4].map((i) => i * step);
}

function bar(key: KpiKey, band: string, side: "treated" | "holdout", e: KpiEstimate, counts: string, x: number, y: (v: number) => number): string {
  const colour = side === "treated" ? TREATED_COLOUR : HOLDOUT_COLOUR;
  const attrs = `data-kpi="${key}" data-band="${esc(band)}" data-side="${side}"`;
  if (e.value === null) {
    return `<text class="no-value" ${attrs} x="${num(x + 20)}" y="${num(y(0) - 4)}" text-anchor="middle" font-size="10" fill="#666">n/a<title>${esc(`${band} ${side}: ${e.note ?? "no value"}`)}</title></text>`
      + `<text x="${num(x + 20)}" y="${num(y(0) + 12)}" text-anchor="middle" font-size="9" fill="#666">${esc(counts)}</text>`;
  }
  const top = y(e.value);
  const parts = [
    `<rect class="bar" ${attrs} data-value="${e.value}" x="${num(x)}" y="${num(top)}" width="40" height="${num(Math.max(0, y(0) - top))}" fill="${colour}"><title>${esc(`${band} ${side}: ${formatEstimate(key, e)} (${counts})`)}</title></rect>`,
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
  parts.push(`<text class="counts" ${attrs} x="${num(x + 20)}" y="${num(y(0) + 12)}" text-anchor="middle" font-size="9" fill="#444">${esc(counts)}</text>`);
  return parts.join("");
}

/**
 * One KPI across the bands: treated and holdout bars with interval whiskers and counts, the
 * lift and p-values under each band; or why there is nothing to draw.
 */
function chart(key: KpiKey, label: string, groups: readonly BandKpiGroup[]): string {
  const sides = groups.flatMap((g) => [g.treated[key], g.holdout[key]]);
  const caption = `${esc(label)} <small>${esc(directionOf(key))}</small>`;
  if (!groups.some((g) => g.comparable && g.treated[key].value !== null && g.holdout[key].value !== null)) {
    const why = sides.find((e) => e.value === null && e.note)?.note;
    return `<figure class="chart empty" data-kpi="${key}"><figcaption>${caption}</figcaption><p class="nothing">Nothing to compare yet, because no band has a value on both sides${why ? ` (${esc(why)})` : ""}.</p></figure>`;
  }
  const values = sides.flatMap((e) => [e.value, e.high]).filter((v): v is number => v !== null);
  const max = Math.max(...values, 0);
  const isRate = KPIS.find((k) => k.key === key)!.unit === "rate";
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
    const name = g.band === ALL_BANDS ? "All bands" : g.band;
    const under = !g.comparable
      ? `<text class="lift" data-kpi="${key}" data-band="${esc(g.band)}" x="${x0 + 70}" y="${TOP + PLOT + 45}" text-anchor="middle" font-size="10" fill="#666">nothing to compare</text>`
      : `<text class="lift" data-kpi="${key}" data-band="${esc(g.band)}" data-lift="${lift.estimate ?? ""}" data-low="${lift.low ?? ""}" data-high="${lift.high ?? ""}" data-p="${lift.pValue ?? ""}" data-adjusted-p="${lift.adjustedPValue ?? ""}"`
        + ` x="${x0 + 70}" y="${TOP + PLOT + 45}" text-anchor="middle" font-size="11">lift ${esc(formatLift(lift))}</text>`
        + `<text x="${x0 + 70}" y="${TOP + PLOT + 60}" text-anchor="middle" font-size="10" fill="${lift.warning ? "#888" : "#333"}">`
        + `p ${esc(formatP(lift.pValue))} · adj. ${esc(formatP(lift.adjustedPValue))}</text>`
        + (lift.warning
          ? `<text class="too-small" x="${x0 + 70}" y="${TOP + PLOT + 74}" text-anchor="middle" font-size="10" fill="#888">too small to conclude<title>${esc(lift.warning)}</title></text>`
          : lift.significant ? `<text class="clear" x="${x0 + 70}" y="${TOP + PLOT + 74}" text-anchor="middle" font-size="10" font-weight="bold" fill="#0a7a2f">clear difference</text>` : "");
    return `<g class="band-slot" data-band="${esc(g.band)}">`
      + bar(key, g.band, "treated", g.treated[key], formatCounts(key, g.treated), x0 + 25, y)
      + bar(key, g.band, "holdout", g.holdout[key], formatCounts(key, g.holdout), x0 + 75, y)
      + `<text x="${x0 + 70}" y="${TOP + PLOT + 29}" text-anchor="middle" font-size="12" font-weight="bold">${esc(name)}</text>`
      + under + "</g>";
  }).join("");
  return `<figure class="chart" data-kpi="${key}"><figcaption>${caption}</figcaption>`
    + `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)} by band, treated against holdout">`
    + `${axis}<line x1="${LEFT}" x2="${width - 10}" y1="${num(y(0))}" y2="${num(y(0))}" stroke="#555"/>${slots}</svg></figure>`;
}

/** The band trend: one stacked column per run in the window, the share of scored accounts per band, with counts. */
function trendChart(runs: readonly KpiRunDistribution[], bandNames: readonly string[]): string {
  if (runs.length < 2) {
    const why = runs.length === 0 ? "the model line has no scoring run in the window" : "the model line has only one scoring run in the window";
    return `<p class="nothing trend">Nothing to chart yet, because ${why}; the band trend needs two runs or more.</p>`;
  }
  const names = [...bandNames, ...new Set(runs.flatMap((r) => r.bands.map((b) => b.band)).filter((b) => !bandNames.includes(b)))];
  const colour = (band: string) => TREND_COLOURS[Math.min(names.indexOf(band), TREND_COLOURS.length - 1)]!;
  const col = Math.max(18, Math.min(60, Math.floor(900 / runs.length)));
  const width = LEFT + col * runs.length + 20;
  const y = (share: number) => TOP + PLOT - share * PLOT;
  const axis = [0, 0.25, 0.5, 0.75, 1].map((t) => `<line x1="${LEFT}" x2="${width - 10}" y1="${num(y(t))}" y2="${num(y(t))}" stroke="#ddd"/>`
    + `<text x="${LEFT - 6}" y="${num(y(t) + 3)}" text-anchor="end" font-size="10" fill="#555">${t * 100}%</text>`).join("");
  const columns = runs.map((r, i) => {
    let base = 0;
    const x = LEFT + col * i + 2;
    const rects = names.map((band) => {
      const b = r.bands.find((s) => s.band === band);
      if (!b || b.accounts === 0) return "";
      const rect = `<rect class="trend-bar" data-run="${esc(r.runId)}" data-band="${esc(band)}" data-accounts="${b.accounts}" x="${x}" y="${num(y(base + b.share))}" width="${col - 4}" height="${num(b.share * PLOT)}" fill="${colour(band)}">`
        + `<title>${esc(`${r.asOf.toISOString().slice(0, 10)} ${band}: ${b.accounts} of ${r.accounts} accounts (${formatRate(b.share)})`)}</title></rect>`;
      base += b.share;
      return rect;
    }).join("");
    const labelEvery = Math.ceil(runs.length / 8);
    const label = i % labelEvery === 0 || i === runs.length - 1
      ? `<text x="${x + (col - 4) / 2}" y="${TOP + PLOT + 14}" text-anchor="middle" font-size="9" fill="#444">${esc(r.asOf.toISOString().slice(5, 10))}</text>` : "";
    return rects + label;
  }).join("");
  const legend = names.map((n, i) => `<rect x="${LEFT + i * 110}" y="${TOP + PLOT + 26}" width="10" height="10" fill="${colour(n)}"/><text x="${LEFT + i * 110 + 14}" y="${TOP + PLOT + 35}" font-size="11">${esc(n)}</text>`).join("");
  const height = TOP + PLOT + 46;
  return `<figure class="trend"><figcaption>Band trend: share of scored accounts per band, each run of the line in the window (${runs.length} runs)</figcaption>`
    + `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Accounts per band over time">${axis}${columns}${legend}</svg></figure>`;
}

function groupTable(g: BandKpiGroup, r: BandKpiReport): string {
  const title = `<h3>${esc(bandTitle(g, r.bands))} <small>${g.treated.accounts} treated, ${g.holdout.accounts} holdout accounts</small></h3>`;
  const open = `<section class="group" data-band="${esc(g.band)}" data-tier="${esc(g.tier ?? "")}">`;
  if (!g.comparable) return `${open}${title}<p class="nothing">${esc(sentence(g.nothingToCompare!))}</p></section>`;
  const rows = KPIS.map(({ key, label }) => {
    const l = g.lift[key];
    const note = l.warning ?? l.note ?? "";
    return `<tr data-kpi="${key}"><th>${esc(label)}</th><td class="dir">${esc(directionOf(key))}</td>`
      + `<td>${esc(formatEstimate(key, g.treated[key]))}</td><td class="n">${esc(formatCounts(key, g.treated))}</td>`
      + `<td>${esc(formatEstimate(key, g.holdout[key]))}</td><td class="n">${esc(formatCounts(key, g.holdout))}</td>`
      + `<td>${esc(formatLift(l))}</td><td>${esc(formatP(l.pValue))}</td><td class="${l.significant ? "clear" : ""}">${esc(formatP(l.adjustedPValue))}</td>`
      + `<td class="${l.warning ? "warn" : "note"}">${esc(note)}</td></tr>`;
  }).join("");
  return `${open}${title}<p class="headline">${esc(g.headline)}</p>`
    + `<table><thead><tr><th>KPI</th><th>good</th><th>treated</th><th>x/n</th><th>holdout</th><th>x/n</th><th>lift</th><th>p</th><th>adj. p</th><th>note</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

/**
 * The report as one self-contained HTML page (no scripts, fonts or links to fetch): the answer
 * first (a headline per band), which version banded the accounts and why, then for each KPI an
 * SVG chart of treated against holdout per band with interval whiskers, counts and the lift;
 * the numbers as tables with counts and the direction of good; the band trend; what each KPI
 * means; the score-quality section and the warnings. Where nothing can be compared it says why
 * instead of drawing empty axes.
 */
export function reportHtml(r: BandKpiReport): string {
  const bands = [r.overall, ...r.groups.filter((g) => g.tier === null)];
  const pct = Math.round(r.confidence * 100);
  const q = r.scoreQuality;
  const conversion = q.conversionByBand.map((c) => `<tr><th>${esc(c.band)}</th><td>${c.accounts}</td><td>${c.accountsWon}</td>`
    + `<td>${esc(formatEstimate("meetingRate", c.conversion))} (${c.accountsWon}/${c.accounts})</td><td>${esc(formatEstimate("winRate", c.winRate))} (${c.wonDeals}/${c.closedDeals})</td></tr>`).join("");
  const distribution = q.distributionOverTime.map((d) => `<tr><th>${esc(d.asOf.toISOString().slice(0, 10))}</th><td>run ${esc(d.runId)} (v${d.modelVersion})</td>`
    + `<td>${esc(d.bands.map((b) => `${b.band} ${b.accounts} (${formatRate(b.share)})`).join(" · "))}</td></tr>`).join("");
  const yesNo = (b: boolean | null) => (b === null ? "not enough bands" : b ? "yes" : "no");
  const bandRows = r.bands.map((b) => `<tr><th>${esc(b.name)}</th><td>${esc(b.range)}</td><td>${esc(b.play ?? "–")}</td><td>${b.slaHours ? `${b.slaHours} h` : "–"}</td></tr>`).join("");
  const definitions = r.kpis.map((k) => `<tr><th>${esc(k.label)}</th><td>${k.direction === "LOWER_IS_BETTER" ? "lower is better" : "higher is better"}</td><td>${esc(k.definition)}</td><td>${esc(k.method)}</td></tr>`).join("");
  const charts = r.nothingToCompare
    ? "<p class=\"nothing\">No charts: there is nothing to compare yet (see above for why).</p>"
    : `<p class="legend"><span style="background:${TREATED_COLOUR}"></span>treated<span style="background:${HOLDOUT_COLOUR}"></span>holdout — whiskers are ${pct}% intervals, counts under each bar; lift = treated / holdout; adj = Holm-adjusted p; "clear" uses it; "too small": too few to conclude anything.</p>
<div class="charts">${KPIS.map(({ key, label }) => chart(key, label, bands)).join("\n")}</div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Band KPIs — ${esc(r.model)} v${r.modelVersion}, ${esc(r.from.toISOString().slice(0, 10))} to ${esc(r.to.toISOString().slice(0, 10))}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1a1a1a; max-width: 1500px; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 32px; } h3 { font-size: 15px; margin-bottom: 4px; } small { color: #666; font-weight: normal; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart, figure.trend { margin: 0; border: 1px solid #e5e5e5; padding: 8px; } figcaption { font-weight: bold; }
figure.chart.empty { width: 300px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border-bottom: 1px solid #eee; padding: 3px 10px; text-align: left; vertical-align: top; }
section.group td { white-space: nowrap; } section.group td.warn, section.group td.note { white-space: normal; min-width: 280px; }
td.n { color: #555; font-size: 12px; } td.dir { color: #555; white-space: nowrap; } td.clear { color: #0a7a2f; font-weight: bold; }
td.warn, .warnings li { color: #b42318; } td.note { color: #666; font-size: 12px; } td.warn { font-size: 12px; }
ul.headlines li { margin-bottom: 6px; } p.headline { margin: 2px 0 6px; }
p.nothing { padding: 10px 14px; background: #f6f6f6; border-left: 4px solid #999; color: #333; }
</style></head>
<body>
<h1>Does acting on the score pay off?</h1>
<p>Model <b>${esc(r.model)} v${r.modelVersion}</b>, window <b>${esc(r.from.toISOString())}</b> to <b>${esc(r.to.toISOString())}</b> (end excluded); ${pct}% intervals.
${r.accounts} target accounts at the window's start: ${r.treatedAccounts} treated, ${r.holdoutAccounts} holdout; ${r.movedDuringWindow} moved during the window (counted on their side at the start).</p>
${r.nothingToCompare ? `<p class="nothing">${esc(sentence(r.nothingToCompare))}</p>` : ""}
<ul class="headlines">${r.headlines.map((h) => `<li>${esc(h)}</li>`).join("")}</ul>
<p class="version"><b>Version:</b> ${esc(r.versionReason)} ${esc(r.bandRule)}</p>
<table class="bands"><thead><tr><th>band</th><th>score</th><th>play</th><th>SLA</th></tr></thead><tbody>${bandRows}</tbody></table>
${r.warnings.length ? `<ul class="warnings">${r.warnings.filter((w) => !r.nothingToCompare || w !== sentence(r.nothingToCompare)).map((w) => `<li>${esc(w)}</li>`).join("")}</ul>` : ""}
<h2>Each KPI by band</h2>
${charts}
<h2>Numbers</h2>
<p><small>p: raw; adj. p: Holm-adjusted over all ${r.comparisons} lift p-values of this report.</small></p>
${[r.overall, ...r.groups].map((g) => groupTable(g, r)).join("\n")}
<h2>Band trend</h2>
${trendChart(q.distributionOverTime, r.bands.map((b) => b.name))}
<h2>What the KPIs mean</h2>
<table class="definitions"><thead><tr><th>KPI</th><th>good</th><th>definition</th><th>interval and lift</th></tr></thead><tbody>${definitions}</tbody></table>
<h2>Is the score right?</h2>
<table class="conversion"><thead><tr><th>band</th><th>accounts</th><th>won</th><th>conversion</th><th>win rate</th></tr></thead><tbody>${conversion}</tbody></table>
<p>Conversion rises with the band: <b>${yesNo(q.monotonic)}</b>; win rate: <b>${yesNo(q.winRateMonotonic)}</b>.
AUC of the score at the window's start: <b class="auc">${q.auc === null ? "–" : q.auc.toFixed(3)}</b> (${q.aucAccounts} scored accounts, ${q.aucPositives} won).</p>
${distribution ? `<table class="distribution"><thead><tr><th>as of</th><th>run</th><th>accounts per band</th></tr></thead><tbody>${distribution}</tbody></table>` : ""}
<p><small>Seed ${r.seed}, ${r.bootstrapIterations} bootstrap resamples. ${q.notes.map(esc).join(" ")}</small></p>
</body></html>
`;
}
