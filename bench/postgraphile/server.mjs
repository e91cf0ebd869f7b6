// PostGraphile serving the `postgraphile_compare` schema (schema.sql) for `npm run bench:compare`.
//
//   DATABASE_URL=postgres://… PORT=4456 NODE_ENV=production node bench/postgraphile/server.mjs
//
// Production settings, as the PostGraphile docs recommend for a deployed API: the Amber preset,
// no GraphiQL, no schema watching, no EXPLAIN in responses, introspection left on (Quorum's
// production default turns it off; it costs nothing per request). Pool size as Quorum's
// (DB_POOL_SIZE, 16). No auth: Quorum checks a bearer key per request, PostGraphile here
// checks nothing (see README.md here).
import http from "node:http";

// Node 20 lacks Promise.withResolvers, which PostGraphile 5 calls; Node 22 and later have it, and
// run PostGraphile as it ships. Imported dynamically so the shim is in place before PostGraphile loads.
if (Number(process.versions.node.split(".")[0]) < 22) await import("./node20.mjs");
const { postgraphile } = await import("postgraphile");
const { makePgService } = await import("postgraphile/adaptors/pg");
const { grafserv } = await import("postgraphile/grafserv/node");
const { PostGraphileAmberPreset } = await import("postgraphile/presets/amber");

const port = Number(process.env.PORT ?? 4456);
const host = process.env.HOST ?? "127.0.0.1";
if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL is required");

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["postgraphile_compare"],
      poolConfig: { max: Number(process.env.DB_POOL_SIZE ?? 16), application_name: "quorum-bench-postgraphile" },
    }),
  ],
  grafast: { explain: false },
  grafserv: { port, host, graphqlPath: "/graphql", graphiql: false, watch: false },
};

const pgl = postgraphile(preset);
// Build the schema before listening, so "listening" means "ready".
await pgl.getSchema();
if (process.env.PRINT_SCHEMA) {
  const { printSchema } = await import("postgraphile/graphql");
  process.stdout.write(printSchema(await pgl.getSchema()));
  await pgl.release();
  process.exit(0);
}
const serv = pgl.createServ(grafserv);
const server = http.createServer();
await serv.addTo(server);
server.listen(port, host, () => process.stderr.write(`PostGraphile serving http://${host}:${port}/graphql\n`));

const shutdown = () => {
  server.close();
  server.closeAllConnections?.();
  Promise.resolve(pgl.release()).then(() => process.exit(0), () => process.exit(1));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
