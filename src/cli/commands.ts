import type { Command } from "./command";
import { demoCommand } from "./demo.command";
import { keysCommand } from "./keys.command";
import { migrateCommand } from "./migrate.command";
import { schemaCommand } from "./schema.command";
import { serveCommand } from "./serve.command";

/** Every `quorum` command. Features add theirs here. */
export const commands: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  demo: demoCommand,
  keys: keysCommand,
  schema: schemaCommand,
};
