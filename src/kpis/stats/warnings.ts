/**
 * Plain-language warnings for treated-vs-holdout comparisons too small to conclude anything.
 *
 * @packageDocumentation
 */

import { assertCount } from "./validate";

/**
 * Fewest accounts per side (or closed deals, for win rate) before a rate comparison says
 * anything — the usual "n ≥ 30" rule of thumb for normal approximations.
 */
export const MIN_TRIALS_PER_SIDE = 30;
/**
 * Fewest events, and fewest non-events, per side for a rate — the classic np ≥ 5 and
 * n(1 − p) ≥ 5 condition for the normal approximation behind the z-test and score interval.
 * With fewer, one account more or less moves the lift a lot.
 */
export const MIN_EVENTS_PER_SIDE = 5;
/** Fewest values per side (won deals with an ACV, with a velocity) for a mean or median lift. */
export const MIN_VALUES_PER_SIDE = 10;

/** How a rate's counts are named in a warning (plural nouns). */
export interface RateLabels {
  /** What n counts, e.g. "accounts" or "closed deals". Default "accounts". */
  trials?: string;
  /** What x counts, e.g. "accounts with a meeting" or "won deals". Default "events". */
  events?: string;
  /** What n − x counts, e.g. "accounts without a meeting" or "lost deals". Default "non-events". */
  nonEvents?: string;
}

/** Input of {@link sampleWarning}: the counts of a rate, or the sizes of two value samples. */
export type SampleWarningInput =
  | {
      kind: "rate";
      treated: { x: number; n: number };
      holdout: { x: number; n: number };
      labels?: RateLabels;
    }
  | {
      kind: "values";
      /** Number of treated values. */
      treated: number;
      /** Number of holdout values. */
      holdout: number;
      /** What the values are (plural), e.g. "won deals". Default "values". */
      label?: string;
    };

/** "a", "a and b", "a, b and c". */
function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function shortfall(count: number, label: string, minimum: number): string | null {
  return count < minimum ? `${count} ${label} (at least ${minimum} needed)` : null;
}

function sideSentence(side: "treated" | "holdout", problems: (string | null)[]): string | null {
  const found = problems.filter((p): p is string => p !== null);
  return found.length === 0 ? null : `${side} has ${listInWords(found)}`;
}

/**
 * Says in plain words when a treated-vs-holdout comparison is too small to conclude anything,
 * or returns `null` when the sample is big enough. Thresholds (exported constants):
 * - a rate: fewer than {@link MIN_TRIALS_PER_SIDE} (30) accounts on a side, or fewer than
 *   {@link MIN_EVENTS_PER_SIDE} (5) events — or 5 non-events — on a side; a side with no
 *   accounts at all is reported as such only;
 * - a mean or median: fewer than {@link MIN_VALUES_PER_SIDE} (10) values on a side.
 *
 * @example
 * sampleWarning({
 *   kind: "rate",
 *   treated: { x: 40, n: 200 },
 *   holdout: { x: 2, n: 25 },
 *   labels: { trials: "accounts", events: "accounts with a meeting", nonEvents: "accounts without a meeting" },
 * })
 * // "Too small to conclude anything: holdout has 25 accounts (at least 30 needed) and
 * //  2 accounts with a meeting (at least 5 needed)."
 * sampleWarning({ kind: "values", treated: 42, holdout: 7, label: "won deals" })
 * // "Too small to conclude anything: holdout has 7 won deals (at least 10 needed)."
 * sampleWarning({ kind: "values", treated: 42, holdout: 12 })  // null
 * @throws RangeError for negative or non-integer counts, or x > n.
 */
export function sampleWarning(input: SampleWarningInput): string | null {
  const sentences: (string | null)[] = [];
  if (input.kind === "rate") {
    const trials = input.labels?.trials ?? "accounts";
    const events = input.labels?.events ?? "events";
    const nonEvents = input.labels?.nonEvents ?? "non-events";
    for (const side of ["treated", "holdout"] as const) {
      const { x, n } = input[side];
      assertCount(x, n, side);
      sentences.push(
        n === 0
          ? `${side} has no ${trials}`
          : sideSentence(side, [
              shortfall(n, trials, MIN_TRIALS_PER_SIDE),
              shortfall(x, events, MIN_EVENTS_PER_SIDE),
              shortfall(n - x, nonEvents, MIN_EVENTS_PER_SIDE),
            ]),
      );
    }
  } else {
    const label = input.label ?? "values";
    for (const side of ["treated", "holdout"] as const) {
      const count = input[side];
      if (!Number.isSafeInteger(count) || count < 0) {
        throw new RangeError(`sampleWarning: ${side} count must be a non-negative integer, got ${count}`);
      }
      sentences.push(count === 0 ? `${side} has no ${label}` : sideSentence(side, [shortfall(count, label, MIN_VALUES_PER_SIDE)]));
    }
  }
  const found = sentences.filter((s): s is string => s !== null);
  return found.length === 0 ? null : `Too small to conclude anything: ${found.join("; ")}.`;
}
