import { parseArgs, type ParseArgsConfig } from "node:util";

/** A CLI command: one file each under src/cli/. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Strict option parsing: an unknown or malformed option is a usage error that names it, suggests
 * the option it was probably meant to be, and points at `--help`.
 */
export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(usageMessage(err as Error & { code?: string }, Object.keys(options)));
  }
}

function usageMessage(err: Error & { code?: string }, known: readonly string[]): string {
  const listed = known.length ? `Options: ${known.map((k) => `--${k}`).join(", ")}.` : "This command takes no options.";
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'(-{1,2}[^']*)'/.exec(err.message)?.[1] ?? "";
    const name = flag.replace(/^-+/, "").split("=")[0]!;
    const guess = closest(name, known);
    return `unknown option ${flag}${guess ? `; did you mean --${guess}?` : "."} ${listed}`;
  }
  if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return `${err.message.replace(/\.$/, "")}. ${listed}`;
  }
  return err.message;
}

/** The known option nearest to `name` (edit distance at most a third of its length, at least 2), if any. */
export function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = candidate.startsWith(name) && name.length >= 3 ? 1 : editDistance(name.toLowerCase(), candidate);
    if (d < bestDistance) { best = candidate; bestDistance = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

export function intOption(value: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  return n;
}

/** A one-line progress bar on stderr (only when stderr is a terminal, so logs stay clean). */
export function progressBar(label: string): { update(done: number, total: number, stage?: string): void; done(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(done, total, stage) {
      const now = Date.now();
      if (!tty || (now - last < 100 && done < total)) return;
      last = now;
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const bar = "█".repeat(Math.round(share * width)).padEnd(width, "░");
      process.stderr.write(`\r${label} ${bar} ${(share * 100).toFixed(0).padStart(3)}% ${stage ?? ""}`.padEnd(100));
    },
    done() {
      if (tty) process.stderr.write("\n");
    },
  };
}
