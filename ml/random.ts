/**
 * Seeded pseudo-random numbers, so that splits, folds and synthetic data are reproducible
 * from one integer seed.
 */

/** A generator of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * Mulberry32: a 32-bit state generator (Tommy Ettinger), fast and good enough for shuffling
 * and simulation; not for cryptography.
 *
 * @example
 * const rng = mulberry32(42);
 * rng(); // 0.6011037519201636 — the same first draw for seed 42 on every machine
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of `items` in place, driven by `rng`. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/**
 * A standard normal generator (Box–Muller) on top of `rng`.
 *
 * @example
 * const normal = gaussian(mulberry32(1));
 * const draws = Array.from({ length: 3 }, normal); // three N(0, 1) draws, same every run
 */
export function gaussian(rng: Rng): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = rng();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * rng();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}
