import type { Command } from "./command";
import { demoCommand } from "./demo.command";
import { importCommand } from "./import.command";
import { holdoutCommand } from "./holdout.command";
import { keysCommand } from "./keys.command";
import { kpisCommand } from "./kpis.command";
import { migrateCommand } from "./migrate.command";
import { reportingCommand } from "./reporting.command";
import { schedulesCommand } from "./schedules.command";
import { schemaCommand } from "./schema.command";
import { scoreCommand } from "./score.command";
import { serveCommand } from "./serve.command";
import { statusCommand } from "./status.command";
import { trainCommand } from "./train.command";

/** Every `quorum` command. Features add theirs here. */
export const commands: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  demo: demoCommand,
  import: importCommand,
  keys: keysCommand,
  schema: schemaCommand,
  kpis: kpisCommand,
  holdout: holdoutCommand,
  score: scoreCommand,
  train: trainCommand,
  reporting: reportingCommand,
  status: statusCommand,
  schedules: schedulesCommand,
};
