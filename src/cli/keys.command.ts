import { Role } from "../auth/roles";
import { withServices } from "./bootstrap";
import { type Command, parseOptions, UsageError } from "./command";

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") : "—");

/** `keys list` as a table: created, last used (to the minute) and revoked, so stale keys stand out. */
export function keyTable(keys: readonly { id: string; role: string; keyPrefix: string; name: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }[]): string {
  if (keys.length === 0) return "No API keys yet: quorum keys create --name NAME --role ROLE\n";
  const rows = [["ID", "ROLE", "PREFIX", "NAME", "CREATED (UTC)", "LAST USED", "REVOKED"],
    ...keys.map((k) => [k.id, k.role, `${k.keyPrefix}…`, k.name, when(k.createdAt), when(k.lastUsedAt), when(k.revokedAt)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

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
        else process.stdout.write(keyTable(keys));
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
