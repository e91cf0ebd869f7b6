import { HoldoutStratifyBy } from "../kpis/holdout.type";
import { withServices } from "./bootstrap";
import { type Command, intOption, parseOptions, UsageError } from "./command";

export const holdoutCommand: Command = {
  summary: "Assign holdout accounts (seeded, stratified), release some, or list draws and the history.",
  usage: `quorum holdout assign --share 0.1 --seed N [--stratify none|tier|band] [--model NAME] [--replace] [--reason TEXT] [--json]
quorum holdout release --reason TEXT DOMAIN... [--json]
quorum holdout list [--json]
quorum holdout history [--account DOMAIN] [--json]

assign draws --share of each stratum's target accounts (by tier unless --stratify says
otherwise) into the holdout; the same seed over the same accounts (by domain) draws the same
accounts in any database. Accounts already held out stay unless --replace; a top-up never
brings back an account that left. release takes accounts out (plays and routing may work them
from now on); history lists every entry and exit with time, actor and reason.`,
  async run(argv) {
    const { values, positionals } = parseOptions(argv, {
      share: { type: "string" }, seed: { type: "string" }, stratify: { type: "string" }, model: { type: "string" },
      replace: { type: "boolean" }, json: { type: "boolean" }, reason: { type: "string" }, account: { type: "string" },
    });
    const action = positionals[0] ?? "assign";
    return withServices(async ({ services }) => {
      if (action === "list") {
        const page = await services.holdout.list(100, undefined);
        const rows = page.edges.map((e) => e.node);
        if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else for (const a of rows) process.stdout.write(`${a.id.padStart(4)}  ${a.assignedAt.toISOString()}  share ${a.share} seed ${a.seed} by ${a.stratifyBy}: ${a.accountsIn} in (+${a.accountsAdded}, −${a.accountsRemoved})\n`);
        return 0;
      }
      if (action === "history") {
        const page = await services.holdout.history({ accountDomain: values.account ?? null }, 100, undefined);
        const rows = page.edges.map((e) => e.node);
        if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else for (const m of rows) {
          const exit = m.exitedAt ? ` → out ${m.exitedAt.toISOString()} by ${m.exitedBy ?? "?"}: ${m.exitReason}` : " (still held out)";
          process.stdout.write(`${m.accountDomain}  in ${m.enteredAt.toISOString()} by ${m.enteredBy ?? "?"}: ${m.entryReason}${exit}\n`);
        }
        return 0;
      }
      if (action === "release") {
        const domains = positionals.slice(1);
        if (domains.length === 0) throw new UsageError("release needs the domains of the accounts to release, e.g. quorum holdout release --reason \"asked for a call\" acme.com");
        if (values.reason === undefined) throw new UsageError("--reason is required: say why the accounts leave the holdout");
        const r = await services.holdout.release({ accountDomains: domains, reason: values.reason }, "cli");
        if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else process.stdout.write(`Released ${r.released} account${r.released === 1 ? "" : "s"} from the holdout: ${r.entries.map((e) => e.accountDomain).join(", ")}.\n`);
        return 0;
      }
      if (action !== "assign") throw new UsageError(`holdout needs an action: assign, release, list or history (got "${action}")`);
      if (values.share === undefined) throw new UsageError("--share is required, e.g. --share 0.1 for 10%");
      if (values.seed === undefined) throw new UsageError("--seed is required, e.g. --seed 7; the same seed draws the same accounts");
      const stratify = (values.stratify ?? "tier").toUpperCase();
      if (!(stratify in HoldoutStratifyBy)) throw new UsageError(`--stratify must be none, tier or band (got "${values.stratify}")`);
      const a = await services.holdout.assign({
        share: Number(values.share), seed: intOption(values.seed, "seed", 0, -(2 ** 31), 2 ** 31 - 1),
        stratifyBy: stratify as HoldoutStratifyBy, model: values.model ?? null, replaceExisting: values.replace ?? false, reason: values.reason ?? null,
      }, "cli");
      if (values.json) {
        process.stdout.write(`${JSON.stringify(a)}\n`);
      } else {
        process.stdout.write(`Holdout assignment ${a.id}: ${a.accountsIn} target accounts held out (${a.accountsAdded} added, ${a.accountsRemoved} removed).\n`);
        for (const s of a.strata) process.stdout.write(`  ${s.stratum.padEnd(12)} ${String(s.holdout).padStart(6)} of ${String(s.targets).padEnd(6)} (${(s.share * 100).toFixed(1)}%)\n`);
      }
      return 0;
    });
  },
};
