import { h, s } from "./dom.js";

/**
 * SVG charts drawn from the data, each with its counts and units written on it. A chart is
 * only asked for when there is something to draw; callers say why when there is not.
 */

const WIDTH = 900;
const LABEL = 250;
const VALUE = 170;

export interface Bar { label: string; value: number; text: string; className?: string }

function figure(title: string, unit: string, svg: SVGElement, testid?: string, legend?: HTMLElement): HTMLElement {
  return h("figure", { class: "chart", "data-testid": testid },
    h("figcaption", {}, title, h("span", { class: "unit" }, ` (${unit})`)), svg, legend);
}

/** Horizontal bars, one per row; negative values extend left of a zero line. */
export function bars(opts: { title: string; unit: string; rows: Bar[]; testid?: string; legend?: { name: string; className: string }[] }): HTMLElement {
  const rowHeight = 26;
  const height = opts.rows.length * rowHeight + 8;
  const lo = Math.min(0, ...opts.rows.map((r) => r.value));
  const hi = Math.max(0, ...opts.rows.map((r) => r.value));
  const span = hi - lo || 1;
  const plot = WIDTH - LABEL - VALUE;
  const x = (v: number) => LABEL + ((v - lo) / span) * plot;
  const svg = s("svg", { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: "img", "aria-label": opts.title },
    opts.rows.map((row, i) => {
      const y = 4 + i * rowHeight;
      const x0 = x(Math.min(0, row.value));
      const w = Math.max(1, Math.abs(x(row.value) - x(0)));
      return s("g", {},
        s("text", { x: LABEL - 8, y: y + 17, "text-anchor": "end", class: "axis-label" }, truncate(row.label, 36)),
        s("rect", { x: x0, y: y + 3, width: w, height: rowHeight - 8, class: `bar ${row.className ?? (row.value < 0 ? "bar-negative" : "")}` },
          s("title", {}, `${row.label}: ${row.text}`)),
        s("text", { x: x(Math.max(0, row.value)) + 6, y: y + 17, class: "value-label" }, row.text));
    }),
    lo < 0 ? s("line", { x1: x(0), x2: x(0), y1: 0, y2: height, class: "zero-line" }) : null);
  return figure(opts.title, opts.unit, svg, opts.testid, opts.legend ? legend(opts.legend) : undefined);
}

export interface Estimate { name: string; value: number | null; low: number | null; high: number | null; text: string; className: string }

/** Per category, one bar per series with its interval as a whisker: treated against holdout, current against proposed. */
export function intervals(opts: { title: string; unit: string; categories: { label: string; series: Estimate[] }[]; max?: number; testid?: string }): HTMLElement {
  const rowHeight = 20;
  const groupGap = 10;
  const perGroup = Math.max(1, ...opts.categories.map((c) => c.series.length));
  const height = opts.categories.length * (perGroup * rowHeight + groupGap) + 6;
  const hi = opts.max ?? Math.max(1e-9, ...opts.categories.flatMap((c) => c.series.map((e) => Math.max(e.high ?? 0, e.value ?? 0))));
  const plot = WIDTH - LABEL - VALUE - 40;
  const x = (v: number) => LABEL + (Math.min(Math.max(v, 0), hi) / hi) * plot;
  const svg = s("svg", { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: "img", "aria-label": opts.title },
    opts.categories.map((category, gi) => {
      const top = 4 + gi * (perGroup * rowHeight + groupGap);
      return s("g", {},
        s("text", { x: LABEL - 8, y: top + (perGroup * rowHeight) / 2 + 5, "text-anchor": "end", class: "axis-label" }, truncate(category.label, 36)),
        category.series.map((e, si) => {
          const y = top + si * rowHeight;
          const mid = y + rowHeight / 2;
          return s("g", {},
            e.value === null ? null : s("rect", { x: LABEL, y: y + 3, width: Math.max(1, x(e.value) - LABEL), height: rowHeight - 6, class: `bar ${e.className}` },
              s("title", {}, `${category.label}, ${e.name}: ${e.text}`)),
            e.low !== null && e.high !== null ? s("g", { class: "whisker" },
              s("line", { x1: x(e.low), x2: x(e.high), y1: mid, y2: mid }),
              s("line", { x1: x(e.low), x2: x(e.low), y1: mid - 4, y2: mid + 4 }),
              s("line", { x1: x(e.high), x2: x(e.high), y1: mid - 4, y2: mid + 4 })) : null,
            s("text", { x: WIDTH - VALUE - 30, y: mid + 4, class: "value-label" }, e.text));
        }));
    }));
  const names = opts.categories[0]?.series ?? [];
  const whiskers = opts.categories.some((c) => c.series.some((e) => e.low !== null && e.high !== null));
  return figure(opts.title, opts.unit, svg, opts.testid, legend(names, whiskers ? "whiskers: 95% interval" : undefined));
}

export interface Point { at: number; value: number; text: string }

/** A line over time on a 0–max scale, with optional dashed reference lines (band minimums). */
export function line(opts: { title: string; unit: string; points: Point[]; max: number; references?: { value: number; label: string }[]; testid?: string }): HTMLElement {
  const height = 240;
  const left = 48, right = 110, top = 12, bottom = 34;
  const t0 = opts.points[0]!.at;
  const t1 = opts.points[opts.points.length - 1]!.at;
  const tx = (t: number) => left + (t1 === t0 ? (WIDTH - left - right) / 2 : ((t - t0) / (t1 - t0)) * (WIDTH - left - right));
  const ty = (v: number) => top + (1 - v / opts.max) * (height - top - bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * opts.max);
  const path = opts.points.map((p, i) => `${i === 0 ? "M" : "L"}${tx(p.at).toFixed(1)},${ty(p.value).toFixed(1)}`).join(" ");
  const dates = t1 === t0 ? [t0] : [t0, (t0 + t1) / 2, t1];
  const svg = s("svg", { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: "img", "aria-label": opts.title },
    ticks.map((v) => s("g", {},
      s("line", { x1: left, x2: WIDTH - right, y1: ty(v), y2: ty(v), class: "grid" }),
      s("text", { x: left - 6, y: ty(v) + 4, "text-anchor": "end", class: "axis-label" }, String(Math.round(v))))),
    (opts.references ?? []).filter((r) => r.value > 0 && r.value < opts.max).map((r) => s("g", {},
      s("line", { x1: left, x2: WIDTH - right, y1: ty(r.value), y2: ty(r.value), class: "reference" }),
      s("text", { x: WIDTH - right + 6, y: ty(r.value) + 4, class: "axis-label" }, truncate(r.label, 16)))),
    dates.map((t, i) => s("text", { x: tx(t), y: height - 12, "text-anchor": i === 0 && dates.length > 1 ? "start" : i === dates.length - 1 && dates.length > 1 ? "end" : "middle", class: "axis-label" },
      new Date(t).toISOString().slice(0, 10))),
    s("path", { d: path, class: "series" }),
    opts.points.map((p) => s("circle", { cx: tx(p.at), cy: ty(p.value), r: 3.5, class: "dot" }, s("title", {}, p.text))));
  return figure(opts.title, opts.unit, svg, opts.testid);
}

function legend(items: { name: string; className: string }[], note?: string): HTMLElement {
  return h("p", { class: "legend" }, items.map((e) => h("span", {}, h("i", { class: `swatch ${e.className}` }), e.name)),
    note ? h("span", { class: "muted" }, note) : null);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
