/**
 * Entry of the fit's child process (see fit-runner.ts): receives one `FitJob` over IPC, sends
 * progress, then its result or its error, and exits. TensorFlow.js's WebAssembly heap only
 * grows, so it lives and dies with this process, never in the API's.
 */
import { TrainingInputError } from "../../ml";
import { type FitJob, runFitJob } from "./fit-job";

/** Messages from the fit process to its host. */
export type FitProcessMessage =
  | { type: "progress"; fraction: number; stage: string }
  | { type: "result"; result: Awaited<ReturnType<typeof runFitJob>> }
  | { type: "error"; error: { name: string; message: string; code?: string; details?: Record<string, unknown>; stack?: string } };

if (!process.send) throw new Error("fit.process must be started with an IPC channel (see fit-runner.ts)");
const send = (message: FitProcessMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

process.once("message", (job: FitJob) => {
  runFitJob(job, (fraction, stage) => { void send({ type: "progress", fraction, stage }); }).then(
    (result) => send({ type: "result", result }),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      return send({
        type: "error",
        error: e instanceof TrainingInputError
          ? { name: e.name, message: e.message, code: e.code, details: { ...e.details } }
          : { name: e.name, message: e.message, stack: e.stack },
      });
    },
  ).finally(() => process.disconnect());
});
