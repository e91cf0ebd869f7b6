import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { TrainingInputError, type TrainingErrorCode } from "../../ml";
import { projectRoot } from "../platform/config/paths";
import { type FitJob, type FitJobResult, type FitProgress, runFitJob } from "./fit-job";
import type { FitProcessMessage } from "./fit.process";

/**
 * Where a fit runs. `process`: a child Node process made for the fit, which exits after it, so
 * TensorFlow.js's WebAssembly heap (≈ 200–270 MB for 100k deals × 50 criteria, never returned
 * while it lives) is never part of the API's memory. `in-process`: in this thread — for
 * one-shot commands (`quorum train`), whose process ends anyway.
 */
export type FitMode = "process" | "in-process";

/**
 * Compiled (`dist/`), the child runs `fit.process.js` beside this file. From TypeScript sources
 * (vitest), Node cannot load `.ts` by itself, so a few-line loader compiles each required `.ts`
 * file with the `typescript` package (a dev dependency, needed only then) and requires
 * `fit.process.ts`.
 */
const TS_LOADER = `
  const Module = require("node:module");
  const fs = require("node:fs");
  const [entry, root] = process.argv.slice(1);
  const ts = require(require.resolve("typescript", { paths: [root] }));
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true };
  Module._extensions[".ts"] = (module, filename) =>
    module._compile(ts.transpileModule(fs.readFileSync(filename, "utf8"), { fileName: filename, compilerOptions: options }).outputText, filename);
  require(entry);`;

function startFitProcess(): ChildProcess {
  const compiled = __filename.endsWith(".js");
  const args = compiled ? [path.join(__dirname, "fit.process.js")] : ["-e", TS_LOADER, path.join(__dirname, "fit.process.ts"), projectRoot];
  // Typed arrays cross the IPC channel as they are with the "advanced" (structured clone) serialization.
  return spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "advanced" });
}

/**
 * Runs a fit job and resolves with its result; rejects with the job's `TrainingInputError`
 * (too few outcomes, …) or any other failure. `signal` aborts it (the child is killed).
 */
export async function runFit(job: FitJob, mode: FitMode, onProgress: FitProgress, signal?: AbortSignal): Promise<FitJobResult> {
  if (mode === "in-process") return runFitJob(job, onProgress);
  const child = startFitProcess();
  let stderr = "";
  // Removed when the fit ends: the signal lives as long as the server, and a listener left on
  // it would keep this job (its whole training matrix) alive after every run.
  let abort: (() => void) | null = null;
  child.stderr?.on("data", (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4_000); });
  try {
    return await new Promise<FitJobResult>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => { if (!settled) { settled = true; fn(); } };
      abort = () => settle(() => reject(new Error("the fit was stopped: the server is shutting down")));
      if (signal?.aborted) return abort();
      signal?.addEventListener("abort", abort, { once: true });
      child.on("message", (message: FitProcessMessage) => {
        if (message.type === "progress") onProgress(message.fraction, message.stage);
        else if (message.type === "result") settle(() => resolve(message.result));
        else settle(() => reject(reviveError(message.error)));
      });
      child.once("error", (err) => settle(() => reject(err)));
      child.once("exit", (code, sig) => settle(() => reject(new Error(`the fit process stopped unexpectedly (${sig ?? `exit code ${code}`})${stderr ? `: ${stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`))));
      child.send(job);
    });
  } finally {
    if (abort) signal?.removeEventListener("abort", abort);
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

function reviveError(e: Extract<FitProcessMessage, { type: "error" }>["error"]): Error {
  if (e.name === "TrainingInputError" && e.code) return new TrainingInputError(e.code as TrainingErrorCode, e.message, e.details ?? {});
  const error = new Error(e.message);
  error.name = e.name;
  if (e.stack) error.stack = e.stack;
  return error;
}
