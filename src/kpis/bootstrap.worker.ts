/** Worker thread of BootstrapRunner: runs bootstrap batches off the server's event loop. */
import { parentPort } from "node:worker_threads";
import { type BootstrapMessage, type BootstrapReply, runTask } from "./bootstrap.runner";

parentPort?.on("message", (message: BootstrapMessage) => {
  let reply: BootstrapReply;
  try {
    reply = { id: message.id, results: message.tasks.map(runTask) };
  } catch (err) {
    reply = { id: message.id, error: (err as Error)?.message ?? String(err) };
  }
  parentPort!.postMessage(reply);
});
