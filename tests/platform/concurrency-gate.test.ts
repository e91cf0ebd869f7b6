import { describe, expect, it } from "vitest";
import { ConcurrencyGate } from "../../src/platform/db/concurrency-gate";

/** A task that runs until released, recording when it started. */
function task(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => { release = r; });
  return { release, run: async () => { log.push(`start ${name}`); await done; log.push(`end ${name}`); return name; } };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("ConcurrencyGate", () => {
  it("runs at most `limit` at once, the rest in arrival order", async () => {
    const gate = new ConcurrencyGate(2);
    const log: string[] = [];
    const tasks = ["a", "b", "c", "d"].map((n) => task(log, n));
    const results = tasks.map((t) => gate.run(undefined, t.run));
    await tick();
    expect(log).toEqual(["start a", "start b"]);
    tasks[1]!.release();
    await tick();
    expect(log).toEqual(["start a", "start b", "end b", "start c"]);
    tasks[0]!.release();
    tasks[2]!.release();
    tasks[3]!.release();
    expect(await Promise.all(results)).toEqual(["a", "b", "c", "d"]);
    expect(log.filter((l) => l.startsWith("start"))).toEqual(["start a", "start b", "start c", "start d"]);
  });

  it("serves the newest first once the oldest has waited past overloadMs", async () => {
    const gate = new ConcurrencyGate(1, { overloadMs: 30 });
    const log: string[] = [];
    const tasks = ["a", "b", "c", "d"].map((n) => task(log, n));
    const results = tasks.map((t) => gate.run(undefined, t.run));
    await new Promise((r) => setTimeout(r, 50));
    tasks[0]!.release(); // b has waited 50 ms > 30: overloaded, so d (the newest) goes next
    await tick();
    const e = task(log, "e");
    const re = gate.run(undefined, e.run);
    tasks[3]!.release(); // still overloaded: e, then c
    await tick();
    e.release();
    await tick();
    tasks[2]!.release();
    await tick();
    tasks[1]!.release();
    await Promise.all([...results, re]);
    expect(log.filter((l) => l.startsWith("start"))).toEqual(["start a", "start d", "start e", "start c", "start b"]);
  });

  it("drops a waiter whose client went away without running it, and keeps its place for the next", async () => {
    const gate = new ConcurrencyGate(1);
    const log: string[] = [];
    const [a, b, c] = ["a", "b", "c"].map((n) => task(log, n));
    const gone = new AbortController();
    const ra = gate.run(undefined, a!.run);
    const rb = gate.run(gone.signal, b!.run);
    const rc = gate.run(undefined, c!.run);
    await tick();
    gone.abort();
    await expect(rb).rejects.toMatchObject({ code: "CANCELLED" });
    a!.release();
    await tick();
    c!.release();
    expect(await Promise.all([ra, rc])).toEqual(["a", "c"]);
    expect(log).toEqual(["start a", "end a", "start c", "end c"]);
    await expect(gate.run(gone.signal, async () => "late")).rejects.toMatchObject({ code: "CANCELLED" });
  });
});
