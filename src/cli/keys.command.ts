import { Role } from "../auth/roles";
import { withServices } from "./bootstrap";
import { type Command, parseOptions, UsageError } from "./command";

export const keysCommand: Command = {
  summary: "Manage API keys: create, list, revoke.",
  usage: `quorum keys create --name NAME --role VIEWER|INGEST|ANALYST|COUNCIL|ADMIN [--json]
quorum keys list [--json]
quorum keys revoke ID`,
  async run(argv) {
    const { values, positionals } = parseOptions(argv, { name: { type: "string" }, role: { type: "string" }, json: { type: "boolean" } });
    const [action, id] = positionals;
    return withServices(async ({ services }) => {
      if (action === "create") {
        const role = values.role?.toUpperCase();
        if (!role || !(role in Role)) throw new UsageError(`--role must be one of ${Object.values(Role).join(", ")}`);
        if (!values.name) throw new UsageError("--name is required, e.g. --name looker");
        const { apiKey, key } = await services.apiKeys.create(values.name, role as Role);
        if (values.json) process.stdout.write(`${JSON.stringify({ id: apiKey.id, name: apiKey.name, role: apiKey.role, key })}\n`);
        else process.stdout.write(`Created key ${apiKey.id} "${apiKey.name}" (${apiKey.role}). It is shown only once:\n\n  ${key}\n\n`);
        return 0;
      }
      if (action === "list") {
        const keys = await services.apiKeys.list();
        if (values.json) process.stdout.write(`${JSON.stringify(keys.map(({ keyHash: _h, ...k }) => k))}\n`);
        else for (const k of keys) process.stdout.write(`${k.id.padStart(4)}  ${k.role.padEnd(8)} ${k.keyPrefix}…  ${k.name}${k.revokedAt ? "  (revoked)" : ""}\n`);
        return 0;
      }
      if (action === "revoke" && id) {
        const k = await services.apiKeys.revoke(id);
        process.stdout.write(`Revoked key ${k.id} "${k.name}".\n`);
        return 0;
      }
      throw new UsageError(`keys needs an action: create, list or revoke ID`);
    });
  },
};
