import fs from "node:fs";
import path from "node:path";

/**
 * The note a server leaves beside its embedded data folder (`.data/pg.running.json`) while it
 * runs: the URL of its database and its process id. CLI commands read it to use that database
 * instead of starting a second PostgreSQL on the same folder (which PostgreSQL refuses).
 */
export interface RunningDatabase {
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  readonly startedAt: string;
}

export function runningDatabaseFile(dataDir: string): string {
  return path.join(path.dirname(dataDir), `${path.basename(dataDir)}.running.json`);
}

/** Writes the note (readable by the owner only: the URL carries the embedded password). */
export function publishRunningDatabase(dataDir: string, url: string): () => void {
  const file = runningDatabaseFile(dataDir);
  const note: RunningDatabase = { url, pid: process.pid, dataDir, startedAt: new Date().toISOString() };
  fs.writeFileSync(file, `${JSON.stringify(note, null, 2)}\n`, { mode: 0o600 });
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    // Only our own note: a server started after us may have replaced it.
    if (readRunningDatabase(dataDir)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
  process.once("exit", remove);
  return remove;
}

/** The note of a server that is still running, or null (none, unreadable, or its process is gone). */
export function readRunningDatabase(dataDir: string): RunningDatabase | null {
  let note: RunningDatabase;
  try {
    note = JSON.parse(fs.readFileSync(runningDatabaseFile(dataDir), "utf8")) as RunningDatabase;
  } catch {
    return null;
  }
  if (typeof note.url !== "string" || !Number.isInteger(note.pid)) return null;
  return processAlive(note.pid) ? note : null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
