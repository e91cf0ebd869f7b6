/** Number formatting shared by the text table and the HTML report. */

import type { KpiEstimate, KpiLift } from "./band-kpi.type";
import type { KpiKey } from "./band-kpi.report";

const DASH = "–";

export function formatRate(v: number | null): string {
  return v === null ? DASH : `${(v * 100).toFixed(1)}%`;
}

export function formatAmount(v: number | null): string {
  if (v === null) return DASH;
  return Math.round(v).toLocaleString("en-US");
}

export function formatDays(v: number | null): string {
  return v === null ? DASH : `${v.toFixed(1)} d`;
}

/** A KPI value in its unit. */
export function formatKpi(key: KpiKey, v: number | null): string {
  if (key === "meetingRate" || key === "opportunityRate" || key === "winRate") return formatRate(v);
  if (key === "medianVelocityDays") return formatDays(v);
  return formatAmount(v);
}

/** "62.5% [30.6, 86.3]": the value and its interval limits, in the KPI's unit. */
export function formatEstimate(key: KpiKey, e: KpiEstimate): string {
  if (e.value === null) return DASH;
  const bare = (v: number | null) => {
    if (v === null) return "?";
    if (key === "meetingRate" || key === "opportunityRate" || key === "winRate") return (v * 100).toFixed(1);
    if (key === "medianVelocityDays") return v.toFixed(1);
    return Math.round(v).toLocaleString("en-US");
  };
  const interval = e.low === null && e.high === null ? "" : ` [${bare(e.low)}, ${bare(e.high)}]`;
  return `${formatKpi(key, e.value)}${interval}`;
}

export function formatRatio(v: number | null): string {
  if (v === null) return "∞";
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** "1.25 [0.45, 3.47]", "– [1.63, ∞)" when the lift is unbounded, "–" when undefined. */
export function formatLift(l: KpiLift): string {
  if (l.estimate === null && l.low === null) return DASH;
  const estimate = l.estimate === null ? "∞" : formatRatio(l.estimate);
  if (l.low === null) return estimate;
  return l.high === null ? `${estimate} [${formatRatio(l.low)}, ∞)` : `${estimate} [${formatRatio(l.low)}, ${formatRatio(l.high)}]`;
}

export function formatP(p: number | null): string {
  if (p === null) return DASH;
  if (p < 0.001) return "<0.001";
  return p.toFixed(3);
}
