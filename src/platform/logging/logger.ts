import pino, { type Logger } from "pino";
import type { Config } from "../config/config";

/** Structured JSON logs; secrets (keys, passwords, authorization headers) are redacted. */
export function createLogger(config: Pick<Config, "logLevel">): Logger {
  return pino({
    level: config.logLevel,
    base: { service: "quorum" },
    redact: { paths: ["req.headers.authorization", "authorization", "*.password", "*.adminApiKey", "key"], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
export type { Logger };
