import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../platform/config/paths";
import { printPublishedSchema } from "../platform/graphql/schema";
import { type Command, parseOptions } from "./command";

export const schemaFile = path.join(projectRoot, "schema.graphql");

export const schemaCommand: Command = {
  summary: "Print the GraphQL schema; --write updates schema.graphql, --check fails when it is stale.",
  usage: "quorum schema [--write | --check]",
  async run(argv) {
    const { values } = parseOptions(argv, { write: { type: "boolean" }, check: { type: "boolean" } });
    const sdl = printPublishedSchema();
    if (values.write) {
      fs.writeFileSync(schemaFile, sdl);
      process.stdout.write(`Wrote ${path.relative(process.cwd(), schemaFile)}\n`);
      return 0;
    }
    if (values.check) {
      const committed = fs.existsSync(schemaFile) ? fs.readFileSync(schemaFile, "utf8") : "";
      if (committed !== sdl) {
        process.stderr.write("schema.graphql is stale: the code's schema differs. Run `npm run schema:emit` and commit the result.\n");
        return 1;
      }
      process.stdout.write("schema.graphql is current.\n");
      return 0;
    }
    process.stdout.write(sdl);
    return 0;
  },
};
