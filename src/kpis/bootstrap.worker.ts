/** Worker thread of BootstrapRunner: runs `compareValues` batches off the server's event loop. */
import { parentPort } from "node:worker_threads";
import { compareValues } from "./kpi-stats";
import type { BootstrapMessage, BootstrapReply } from "./bootstrap.runner";

parentPort?.on("message", (message: BootstrapMessage) => {
  let reply: BootstrapReply;
  try {
    reply = {
      id: message.id,
      results: message.tasks.map((t) => compareValues(Array.from(t.treated), Array.from(t.holdout), t.stat, t.seed, t.options)),
    };
  } catch (err) {
    reply = { id: message.id, error: (err as Error)?.message ?? String(err) };
  }
  parentPort!.postMessage(reply);
});
