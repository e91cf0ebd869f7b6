import { ReportingService } from "../reporting/reporting.service";
import { redactUrl } from "../platform/config/config";
import { withServices } from "./bootstrap";
import { type Command, intOption, parseOptions, UsageError } from "./command";

export const reportingCommand: Command = {
  summary: "BI over SQL: create a read-only PostgreSQL role for the reporting views.",
  usage: `quorum reporting grant --role NAME [--password-env VAR] [--statement-timeout-ms N] [--json]

Creates role NAME (or updates it) so a BI tool (Metabase, Looker, Superset, Grafana) can log in
and read the views of the \`reporting\` schema and nothing else: no application table, no writes,
search_path = reporting, statement timeout N ms (60000). The password comes from the environment
variable VAR; without it a new role gets a generated password, printed once. Needs a database
user that may create roles (the embedded database's is one).`,
  async run(argv) {
    const { values, positionals } = parseOptions(argv, {
      role: { type: "string" }, "password-env": { type: "string" }, "statement-timeout-ms": { type: "string" }, json: { type: "boolean" },
    });
    if (positionals[0] !== "grant") throw new UsageError("reporting needs an action: quorum reporting grant --role NAME");
    if (!values.role) throw new UsageError("--role is required, e.g. --role metabase");
    let password: string | undefined;
    if (values["password-env"] !== undefined) {
      password = process.env[values["password-env"]];
      if (!password) throw new UsageError(`--password-env ${values["password-env"]}: that environment variable is empty or not set`);
    }
    const statementTimeoutMs = intOption(values["statement-timeout-ms"], "statement-timeout-ms", 60_000, 100, 3_600_000);
    return withServices(async ({ db, url }) => {
      const result = await new ReportingService(db).grantReadOnlyRole(values.role!, { password, statementTimeoutMs });
      const connect = new URL(url);
      connect.username = result.role;
      connect.password = "";
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ ...result, url: redactUrl(connect.toString()) })}\n`);
        return 0;
      }
      process.stdout.write(`${result.created ? "Created" : "Updated"} read-only role "${result.role}" on database ${result.database}: it reads ${result.views.map((v) => `reporting.${v}`).join(", ")}, and nothing else.\n`);
      if (result.generatedPassword) process.stdout.write(`Its password is shown only once:\n\n  ${result.generatedPassword}\n\n`);
      process.stdout.write(`Connect your BI tool to ${connect.toString()} as "${result.role}".\n`);
      return 0;
    });
  },
};
