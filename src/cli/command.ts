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

/** Strict option parsing: an unknown or malformed option is a usage error that names it. */
export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
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
