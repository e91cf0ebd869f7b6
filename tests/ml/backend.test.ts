import { describe, expect, it } from "vitest";
import { getBackend } from "../../ml/backend";
import { fitLogistic } from "../../ml/logistic";
import { simulateLogistic } from "../../ml/synthetic";

describe("getBackend", () => {
  it("picks the fastest backend that loads and says why faster ones were skipped", async () => {
    const backend = await getBackend();
    expect(["tensorflow", "wasm", "cpu"]).toContain(backend.name);
    expect(backend.tf.getBackend()).toBe(backend.name);
    if (backend.name !== "tensorflow") {
      // tfjs-node is an optional dependency whose native binding does not load here.
      expect(backend.skipped[0]).toMatchObject({ name: "tensorflow" });
      expect(backend.skipped[0].reason).not.toBe("");
    }
    expect(await getBackend()).toBe(backend);
  });

  it("leaves no Emscripten process handlers behind", async () => {
    await getBackend({ force: "wasm" }).catch(() => undefined);
    const listeners = [...process.listeners("uncaughtException"), ...process.listeners("unhandledRejection")];
    expect(listeners.map(String).filter((source) => source.includes("ExitStatus") || source.includes("throw reason"))).toEqual([]);
  });

  it("can be forced to plain cpu, and reports an unavailable forced backend", async () => {
    const cpu = await getBackend({ force: "cpu" });
    expect(cpu.name).toBe("cpu");
    const auto = await getBackend();
    auto.activate();
    expect(auto.tf.getBackend()).toBe(auto.name);
    if (auto.name !== "tensorflow") {
      await expect(getBackend({ force: "tensorflow" })).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    }
  });
});

describe("backends agree", () => {
  it("gives the same coefficients on the default backend and on plain cpu", async () => {
    const { matrix } = simulateLogistic(
      [
        { name: "fit", mean: 40, sd: 12, weight: 0.03 },
        { name: "engagement", mean: 5, sd: 4, weight: 0.2 },
        { name: "intent", mean: 0.3, sd: 0.2, weight: -1.5 },
        { name: "committee", mean: 2, sd: 1, weight: 0.4 },
        { name: "noise", mean: 0, sd: 1, weight: 0 },
      ],
      { n: 5000, intercept: -0.7, seed: 77 },
    );
    const auto = await fitLogistic(matrix);
    const cpu = await fitLogistic(matrix, { backend: "cpu" });
    expect(cpu.backend).toBe("cpu");
    expect(auto.coefficients.map((c) => c.name)).toEqual(cpu.coefficients.map((c) => c.name));
    auto.coefficients.forEach((c, k) => {
      expect(Math.abs(c.estimate - cpu.coefficients[k].estimate)).toBeLessThan(1e-6);
      expect(Math.abs(c.stdError / cpu.coefficients[k].stdError - 1)).toBeLessThan(1e-5);
    });
    expect(auto.iterations).toBe(cpu.iterations);
  });
});
