#!/usr/bin/env node
import "reflect-metadata";
import { ConfigError } from "../platform/config/config";
import { EmbeddedDatabaseError } from "../platform/db/embedded";
import { AppError } from "../platform/errors/errors";
import { commands } from "./commands";

const USAGE = `quorum <command> [options]

Commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`).join("\n")}

Run \`quorum <command> --help\` for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`quorum: unknown command "${name}".\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`quorum ${name} — ${command.summary}\n\n${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    // Problems an operator can fix get one line; anything else is a bug and gets its stack.
    if (err instanceof ConfigError || err instanceof EmbeddedDatabaseError || err instanceof AppError || (err as Error)?.name === "UsageError") {
      process.stderr.write(`quorum: ${(err as Error).message}\n`);
    } else if (err instanceof Error && /^Cannot use the database/.test(err.message)) {
      process.stderr.write(`quorum: ${err.message}\n`);
    } else {
      process.stderr.write(`quorum: unexpected failure: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exitCode = 1;
  },
);
