import { existsSync } from "node:fs";
import * as path from "node:path";
import type * as TfModule from "@tensorflow/tfjs";
import { BackendUnavailableError } from "./errors";

/** The TensorFlow.js API (`@tensorflow/tfjs`, or `@tensorflow/tfjs-node` which extends it). */
export type Tf = typeof TfModule;

/**
 * TensorFlow.js backend names, fastest first: `tensorflow` (native libtensorflow through
 * `@tensorflow/tfjs-node`), `wasm` (XNNPACK SIMD kernels in WebAssembly), `cpu` (plain JS).
 */
export type BackendName = "tensorflow" | "wasm" | "cpu";

export const BACKEND_PREFERENCE: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

/** A backend that could not be used, and why (e.g. the native binding is not installed). */
export interface SkippedBackend {
  name: BackendName;
  reason: string;
}

/** An initialised TensorFlow.js backend. */
export interface TfBackend {
  readonly name: BackendName;
  readonly tf: Tf;
  /** Faster backends tried before this one and why they were passed over. */
  readonly skipped: readonly SkippedBackend[];
  /**
   * Makes this backend the engine's active one, synchronously. tfjs keeps one global active
   * backend, so code that awaits between tensor operations calls this before each batch of
   * operations, in case someone else switched in between.
   */
  activate(): void;
}

export interface BackendOptions {
  /** Use exactly this backend (tests and benchmarks compare them); fails if it cannot load. */
  force?: BackendName;
}

const cache = new Map<BackendName | "auto", Promise<TfBackend>>();

/**
 * The TensorFlow.js backend to train on, initialised once per process:
 * native `tensorflow` if `@tensorflow/tfjs-node`'s binding loads, else `wasm`, else `cpu`.
 *
 * @example
 * const { name, tf } = await getBackend();                 // "wasm" on a machine without tfjs-node
 * const cpu = await getBackend({ force: "cpu" });           // for comparisons
 */
export function getBackend(options: BackendOptions = {}): Promise<TfBackend> {
  const key = options.force ?? "auto";
  let pending = cache.get(key);
  if (!pending) {
    pending = options.force ? loadForced(options.force) : loadPreferred();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

async function loadPreferred(): Promise<TfBackend> {
  const skipped: SkippedBackend[] = [];
  for (const name of BACKEND_PREFERENCE) {
    try {
      return await loadForced(name, skipped);
    } catch (error) {
      skipped.push({ name, reason: error instanceof BackendUnavailableError ? error.reason : describe(error) });
    }
  }
  throw new BackendUnavailableError("any", skipped.map((s) => `${s.name}: ${s.reason}`).join("; "));
}

async function loadForced(name: BackendName, skipped: SkippedBackend[] = []): Promise<TfBackend> {
  const tf = name === "tensorflow" ? loadNative() : loadTfjs();
  if (name === "wasm") await prepareWasm(tf);
  let ok: boolean;
  try {
    ok = await withoutEmscriptenProcessHandlers(() => tf.setBackend(name));
    await tf.ready();
  } catch (error) {
    throw new BackendUnavailableError(name, describe(error));
  }
  if (!ok || tf.getBackend() !== name) throw new BackendUnavailableError(name, "initialisation failed");
  const backend: TfBackend = {
    name,
    tf,
    skipped: [...skipped],
    activate() {
      if (tf.getBackend() === name) return;
      // setBackend sets the engine's backend synchronously once the backend is initialised.
      tf.setBackend(name).catch(() => undefined);
      if (tf.getBackend() !== name) throw new Error(`could not switch TensorFlow.js to "${name}"`);
    },
  };
  return backend;
}

function loadNative(): Tf {
  try {
    // Loading tfjs-node registers the "tensorflow" backend in tfjs' global engine.
    return require("@tensorflow/tfjs-node") as Tf;
  } catch (error) {
    throw new BackendUnavailableError("tensorflow", describe(error));
  }
}

let tfjs: Tf | undefined;
function loadTfjs(): Tf {
  if (!tfjs) {
    tfjs = require("@tensorflow/tfjs") as Tf;
    // Silences tfjs' console banner ("install our node backend"): the report names the backend.
    tfjs.env().set("PROD", true);
  }
  return tfjs;
}

let wasmPathsSet = false;
async function prepareWasm(tf: Tf): Promise<void> {
  let wasm: typeof import("@tensorflow/tfjs-backend-wasm");
  let dist: string;
  try {
    wasm = require("@tensorflow/tfjs-backend-wasm");
    dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  } catch (error) {
    throw new BackendUnavailableError("wasm", describe(error));
  }
  if (wasmPathsSet || tf.findBackend("wasm")) return;
  const files = {
    "tfjs-backend-wasm.wasm": path.join(dist, "tfjs-backend-wasm.wasm"),
    "tfjs-backend-wasm-simd.wasm": path.join(dist, "tfjs-backend-wasm-simd.wasm"),
    "tfjs-backend-wasm-threaded-simd.wasm": path.join(dist, "tfjs-backend-wasm-threaded-simd.wasm"),
  };
  const missing = Object.values(files).filter((file) => !existsSync(file));
  if (missing.length > 0) throw new BackendUnavailableError("wasm", `missing ${missing.join(", ")}`);
  wasm.setWasmPaths(files);
  wasmPathsSet = true;
}

/**
 * Emscripten's Node glue in tfjs-backend-wasm installs process-wide `uncaughtException` and
 * `unhandledRejection` listeners that rethrow, which would override the host application's
 * own error handling. Remove exactly the listeners it added while `init` ran.
 */
async function withoutEmscriptenProcessHandlers<T>(init: () => Promise<T>): Promise<T> {
  const emitter: NodeJS.EventEmitter = process;
  const events = ["uncaughtException", "unhandledRejection"];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return await init();
  } finally {
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        const source = String(listener);
        const fromEmscripten = source.includes("ExitStatus") || source.includes("throw reason");
        if (!before.get(event)?.has(listener) && fromEmscripten) {
          emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    }
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}
