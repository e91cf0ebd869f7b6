/** Number formatting shared by the text table and the HTML report. */

import type { BandKpiSide, KpiEstimate, KpiLift } from "./band-kpi.type";
import { KPIS, type KpiKey } from "./band-kpi.report";
import { KpiDirection } from "./band-kpi.enums";

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

export function formatHours(v: number | null): string {
  return v === null ? DASH : `${v.toFixed(1)} h`;
}

const unitOf = (key: KpiKey) => KPIS.find((k) => k.key === key)!.unit;

/** A KPI value in its unit. */
export function formatKpi(key: KpiKey, v: number | null): string {
  const unit = unitOf(key);
  if (unit === "rate") return formatRate(v);
  if (unit === "days") return formatDays(v);
  if (unit === "hours") return formatHours(v);
  if (unit === "count") return v === null ? DASH : v.toFixed(2);
  return formatAmount(v);
}

/** "↑ better" or "↓ better": the direction of good of a KPI. */
export function directionOf(key: KpiKey): string {
  return KPIS.find((k) => k.key === key)!.direction === KpiDirection.LOWER_IS_BETTER ? "↓ better" : "↑ better";
}

/** The counts behind a side's KPI: "5/8" for rates (and meetings / accounts), "n=4" otherwise, untouched accounts for speed to first touch. */
export function formatCounts(key: KpiKey, side: BandKpiSide): string {
  const e = side[key];
  if (key === "medianHoursToFirstTouch") return `n=${e.n}, ${side.untouched} untouched`;
  return e.x !== null ? `${e.x}/${e.n}` : `n=${e.n}`;
}

/** "62.5% [30.6, 86.3]": the value and its interval limits, in the KPI's unit. */
export function formatEstimate(key: KpiKey, e: KpiEstimate): string {
  if (e.value === null) return DASH;
  const bare = (v: number | null) => {
    if (v === null) return "?";
    const unit = unitOf(key);
    if (unit === "rate") return (v * 100).toFixed(1);
    if (unit === "days" || unit === "hours") return v.toFixed(1);
    if (unit === "count") return v.toFixed(2);
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
