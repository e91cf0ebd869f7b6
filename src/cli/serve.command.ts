import fs from "node:fs";
import path from "node:path";
import { Role } from "../auth/roles";
import { loadConfig, type Config } from "../platform/config/config";
import { connectDatabase, startApi } from "../platform/app";
import { createLogger } from "../platform/logging/logger";
import type { Services } from "../platform/services";
import { prepareDemo } from "../demo/demo.setup";
import { ensureDefaultModel } from "../scoring/default-model";
import { type Command, parseOptions } from "./command";

export const serveCommand: Command = {
  summary: "Serve the GraphQL API (embedded PostgreSQL with demo data unless DATABASE_URL is set).",
  usage: `quorum serve [--port N]

Without DATABASE_URL, starts an embedded PostgreSQL under ./.data/ and, when it is empty,
loads DEMO_ACCOUNTS demo accounts (2,000) first. Stops cleanly on Ctrl-C or SIGTERM.`,
  async run(argv) {
    const { values } = parseOptions(argv, { port: { type: "string" } });
    const env = { ...process.env, ...(values.port ? { PORT: values.port } : {}) };
    const config = loadConfig(env);
    const log = createLogger(config);
    const connected = await connectDatabase(config, log, { role: "server" });
    const demoMode = config.database.kind === "embedded";
    try {
      if (config.demo.loadWhenEmpty) await prepareDemo(connected.db, config, log, { onlyWhenEmpty: true });
      // A fresh database scores out of the box: the shipped default model, active.
      await ensureDefaultModel(connected.db);
    } catch (err) {
      await connected.close();
      throw err;
    }
    const app = await startApi(config, log, connected);

    const lines = [`Quorum is serving GraphQL at ${app.url}`, `  health: ${app.url.replace(/graphql$/, "healthz")}   ready: ${app.url.replace(/graphql$/, "readyz")}`,
      `  console: ${app.url.replace(/graphql$/, "console/")}`];
    if (demoMode) {
      const key = await demoKey(config, app.services);
      lines.push(`  demo API key (ADMIN): ${key}`, `  try: curl -s ${app.url} -H 'content-type: application/json' -H 'authorization: Bearer ${key}' \\`, `         -d '{"query":"{ accounts(first: 3) { totalCount edges { node { name domain } } } }"}'`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);

    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down: finishing in-flight requests");
      app.stop().then(
        () => { log.info("stopped"); process.exit(0); },
        (err: unknown) => { log.error({ err }, "shutdown failed"); process.exit(1); },
      );
    };
    process.on("SIGINT", () => shutdown("SIGINT"));
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    await new Promise<never>(() => undefined);
    return 0;
  },
};

/** In demo mode the banner shows a key; it is kept beside the embedded data so restarts reuse it. */
async function demoKey(config: Config, services: Services): Promise<string> {
  if (config.database.kind !== "embedded") throw new Error("demo keys exist only on the embedded database");
  const file = path.join(path.dirname(config.database.dataDir), "demo-api-key");
  if (fs.existsSync(file)) {
    const saved = fs.readFileSync(file, "utf8").trim();
    if (await services.apiKeys.authenticate(saved)) return saved;
  }
  const { key } = await services.apiKeys.create("demo", Role.ADMIN);
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
