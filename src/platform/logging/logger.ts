import pino, { type Logger } from "pino";
import type { Config } from "../config/config";

/**
 * Structured JSON logs; secrets (keys, passwords, authorization headers) are redacted.
 * The server logs to stdout; CLI commands pass `toStderr` so `--json` output stays clean.
 */
export function createLogger(config: Pick<Config, "logLevel">, opts: { toStderr?: boolean } = {}): Logger {
  return pino({
    level: config.logLevel,
    base: { service: "quorum" },
    redact: { paths: ["req.headers.authorization", "authorization", "*.password", "*.adminApiKey", "key"], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, pino.destination({ fd: opts.toStderr ? 2 : 1, sync: opts.toStderr === true }));
}
export type { Logger };
