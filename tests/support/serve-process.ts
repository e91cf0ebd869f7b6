import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { waitFor } from "./wait";

const CLI = path.resolve("dist/src/cli/main.js");

/** The built server (`quorum serve`) in a process of its own, as operators run it. */
export interface ServedProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Every stdout line so far. */
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

/** Starts `dist/src/cli/main.js serve` on a random port and resolves once its banner is out. */
export async function serveProcess(env: Record<string, string>): Promise<ServedProcess> {
  const child = spawn(process.execPath, [CLI, "serve"], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "production", LOG_LEVEL: "info", DEMO_WHEN_EMPTY: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buffered = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.resume();
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const banner = () => lines.find((l) => l.startsWith("Quorum is serving GraphQL at "));
  await waitFor("the server's banner", () => banner() !== undefined || child.exitCode !== null, 30_000, 100);
  if (!banner()) throw new Error(`server did not start:\n${lines.join("\n")}`);
  return { child, url: banner()!.slice("Quorum is serving GraphQL at ".length).trim(), lines, exited };
}
