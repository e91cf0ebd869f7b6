import { KPIS } from "./band-kpi.report";
import type { BandKpiGroup, BandKpiReport } from "./band-kpi.type";
import { formatEstimate, formatLift, formatP, formatRate } from "./kpi-format";

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s.padEnd(n));

function groupTitle(g: BandKpiGroup): string {
  const name = g.band === "ALL" ? "All bands" : g.tier ? `${g.band} · tier ${g.tier}` : g.band;
  return `${name} — ${g.treated.accounts} treated, ${g.holdout.accounts} holdout`;
}

/** One block per group: a row per KPI with treated, holdout, lift [interval], p and a "!" where the sample is too small. */
function groupBlock(g: BandKpiGroup, confidence: number): string[] {
  const ci = `${Math.round(confidence * 100)}% CI`;
  const lines = [groupTitle(g), `  ${pad("KPI", 22)}${pad(`treated [${ci}]`, 30)}${pad(`holdout [${ci}]`, 30)}${pad(`lift [${ci}]`, 24)}p`];
  for (const { key, label } of KPIS) {
    const t = g.treated[key];
    const h = g.holdout[key];
    const counts = (e: typeof t) => (e.x !== null ? ` ${e.x}/${e.n}` : ` n=${e.n}`);
    const lift = g.lift[key];
    lines.push(`  ${pad(label, 22)}${pad(formatEstimate(key, t) + counts(t), 30)}${pad(formatEstimate(key, h) + counts(h), 30)}${pad(formatLift(lift), 24)}${pad(formatP(lift.pValue), 8)}${lift.warning ? "!" : lift.significant ? "*" : ""}`);
  }
  for (const w of g.warnings) lines.push(`  ! ${w}`);
  return lines;
}

/** The report as a readable plain-text table (what `quorum kpis` prints). */
export function reportText(r: BandKpiReport): string {
  const out: string[] = [
    `Band KPIs — model ${r.model} v${r.modelVersion}, window ${r.from.toISOString()} → ${r.to.toISOString()}, ${Math.round(r.confidence * 100)}% intervals`,
    r.bandRule,
    `${r.accounts} target accounts: ${r.treatedAccounts} treated, ${r.holdoutAccounts} holdout.   * significant   ! too small to conclude anything`,
    "",
  ];
  for (const g of [r.overall, ...r.groups]) out.push(...groupBlock(g, r.confidence), "");

  const q = r.scoreQuality;
  out.push("Is the score right?", `  ${pad("band", 14)}${pad("accounts", 10)}${pad("won", 6)}${pad("conversion", 24)}win rate`);
  for (const c of q.conversionByBand) {
    out.push(`  ${pad(c.band, 14)}${pad(String(c.accounts), 10)}${pad(String(c.accountsWon), 6)}${pad(formatEstimate("meetingRate", c.conversion), 24)}${formatEstimate("winRate", c.winRate)} (${c.wonDeals}/${c.closedDeals})`);
  }
  const yesNo = (b: boolean | null) => (b === null ? "not enough bands" : b ? "yes" : "NO");
  out.push(`  Conversion rises with the band: ${yesNo(q.monotonic)}; win rate: ${yesNo(q.winRateMonotonic)}.`);
  out.push(`  AUC of the score at the window's start: ${q.auc === null ? "–" : q.auc.toFixed(3)} (${q.aucAccounts} scored accounts, ${q.aucPositives} won).`);
  if (q.distributionOverTime.length > 0) {
    out.push("  Accounts per band, runs in the window:");
    for (const d of q.distributionOverTime) {
      out.push(`    ${d.asOf.toISOString().slice(0, 10)} run ${d.runId} (v${d.modelVersion}): ${d.bands.map((b) => `${b.band} ${b.accounts} (${formatRate(b.share)})`).join(" · ")}`);
    }
  }
  if (r.warnings.length > 0) {
    out.push("", "Warnings:");
    for (const w of r.warnings) out.push(`  - ${w}`);
  }
  return `${out.join("\n")}\n`;
}
