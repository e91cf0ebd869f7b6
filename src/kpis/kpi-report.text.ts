import { ALL_BANDS, KPIS } from "./band-kpi.report";
import type { BandKpiGroup, BandKpiReport, KpiBand } from "./band-kpi.type";
import { directionOf, formatCounts, formatEstimate, formatLift, formatP, formatRate } from "./kpi-format";

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s.padEnd(n));

/** "Hot (70–100, play 1:1, SLA 24 h)": the band with its range, play and SLA. */
export function bandTitle(g: BandKpiGroup, bands: readonly KpiBand[]): string {
  if (g.band === ALL_BANDS) return "All bands";
  const b = bands.find((x) => x.name === g.band);
  const about = b ? [b.range, b.play ? `play ${b.play}` : null, b.slaHours ? `SLA ${b.slaHours} h` : null].filter(Boolean).join(", ") : "";
  return `${g.band}${g.tier ? ` · tier ${g.tier}` : ""}${about ? ` (${about})` : ""}`;
}

/**
 * One block per group: a row per KPI with its direction of good, treated and holdout (value
 * [interval] and counts), lift [interval], raw and Holm-adjusted p, and "!" where the sample is
 * too small; or why there is nothing to compare.
 */
function groupBlock(g: BandKpiGroup, r: BandKpiReport): string[] {
  const ci = `${Math.round(r.confidence * 100)}% CI`;
  const lines = [`${bandTitle(g, r.bands)} — ${g.treated.accounts} treated, ${g.holdout.accounts} holdout accounts`];
  if (!g.comparable) return [...lines, `  ${g.nothingToCompare![0]!.toUpperCase()}${g.nothingToCompare!.slice(1)}.`];
  lines.push(`  ${pad("KPI", 30)}${pad("", 10)}${pad(`treated [${ci}]`, 38)}${pad(`holdout [${ci}]`, 38)}${pad(`lift [${ci}]`, 22)}${pad("p", 8)}adj. p`);
  for (const { key, label } of KPIS) {
    const lift = g.lift[key];
    lines.push(`  ${pad(label, 30)}${pad(directionOf(key), 10)}${pad(`${formatEstimate(key, g.treated[key])} ${formatCounts(key, g.treated)}`, 38)}`
      + `${pad(`${formatEstimate(key, g.holdout[key])} ${formatCounts(key, g.holdout)}`, 38)}${pad(formatLift(lift), 22)}${pad(formatP(lift.pValue), 8)}`
      + `${pad(formatP(lift.adjustedPValue), 8)}${lift.warning ? "! too small" : lift.significant ? "* clear" : ""}`);
  }
  for (const w of g.warnings) lines.push(`  ! ${w}`);
  return lines;
}

/** The report as readable plain text (what `quorum kpis` prints): the same content as the JSON and the HTML page. */
export function reportText(r: BandKpiReport): string {
  const pct = Math.round(r.confidence * 100);
  const out: string[] = [
    `Band KPIs — model ${r.model} v${r.modelVersion}, window ${r.from.toISOString()} → ${r.to.toISOString()}, ${pct}% intervals`,
    `Version: ${r.versionReason}`,
    r.bandRule,
    `${r.accounts} target accounts at the window's start: ${r.treatedAccounts} treated, ${r.holdoutAccounts} holdout; ${r.movedDuringWindow} moved during the window (counted on their side at the start).`,
    "",
    "Does acting on the score pay off?",
  ];
  if (r.nothingToCompare) out.push(`  ${r.nothingToCompare[0]!.toUpperCase()}${r.nothingToCompare.slice(1)}.`);
  for (const h of r.headlines) out.push(`  - ${h}`);
  out.push("", `p: raw; adj. p: Holm-adjusted over all ${r.comparisons} lift p-values of this report, and "* clear" uses it. "! too small": too few to conclude anything.`, "");
  for (const g of [r.overall, ...r.groups]) out.push(...groupBlock(g, r), "");

  out.push("What the KPIs mean:");
  for (const k of r.kpis) out.push(`  ${pad(k.label, 30)}${pad(k.direction === "LOWER_IS_BETTER" ? "lower is better" : "higher is better", 18)}${k.definition} ${k.method}`);
  out.push("");

  const q = r.scoreQuality;
  out.push("Is the score right?", `  ${pad("band", 14)}${pad("accounts", 10)}${pad("won", 6)}${pad("conversion", 32)}win rate`);
  for (const c of q.conversionByBand) {
    out.push(`  ${pad(c.band, 14)}${pad(String(c.accounts), 10)}${pad(String(c.accountsWon), 6)}${pad(`${formatEstimate("meetingRate", c.conversion)} ${c.accountsWon}/${c.accounts}`, 32)}${formatEstimate("winRate", c.winRate)} ${c.wonDeals}/${c.closedDeals}`);
  }
  const yesNo = (b: boolean | null) => (b === null ? "not enough bands" : b ? "yes" : "NO");
  out.push(`  Conversion rises with the band: ${yesNo(q.monotonic)}; win rate: ${yesNo(q.winRateMonotonic)}.`);
  out.push(`  AUC of the score at the window's start: ${q.auc === null ? "–" : q.auc.toFixed(3)} (${q.aucAccounts} scored accounts, ${q.aucPositives} won).`);
  if (q.distributionOverTime.length > 0) {
    out.push("  Band trend: accounts per band, runs in the window:");
    for (const d of q.distributionOverTime) {
      out.push(`    ${d.asOf.toISOString().slice(0, 10)} run ${d.runId} (v${d.modelVersion}): ${d.bands.map((b) => `${b.band} ${b.accounts} (${formatRate(b.share)})`).join(" · ")}`);
    }
  } else {
    out.push("  Band trend: nothing to show yet, because the line has no scoring run in the window.");
  }
  if (r.warnings.length > 0) {
    out.push("", "Warnings:");
    for (const w of r.warnings) out.push(`  - ${w}`);
  }
  return `${out.join("\n")}\n`;
}
