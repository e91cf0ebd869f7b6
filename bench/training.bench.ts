/**
 * Training benchmark (DESIGN.md §7: 100k deals × 50 features, ≤ 2× scikit-learn's
 * LogisticRegression, same coefficients to 1e-3).
 *
 *   npm run bench:training
 *   npm run bench:training -- --dump /tmp/training.csv     # also write the matrix for sklearn
 *   node dist/bench/training.bench.js --rows 20000 --features 10 --skip-cpu
 *
 * Prints the backend, fit times (final fit alone; holdout + 5-fold CV + final), Newton
 * iterations, peak RSS, the largest coefficient difference between the default backend and
 * tfjs' plain cpu backend, and the time of a textbook plain-JS IRLS on the same matrix as a
 * reference (scikit-learn is not installed here; `--dump` prints the script to compare).
 */
import { createWriteStream } from "node:fs";
import { getBackend } from "../ml/backend";
import { fitLogistic, trainLogistic, type LogisticFit } from "../ml/logistic";
import { gaussian, mulberry32 } from "../ml/random";
import { simulateLogistic, type SimulatedFeature } from "../ml/synthetic";

interface Args {
  rows: number;
  features: number;
  l2: number;
  seed: number;
  dump: string | null;
  skipCpu: boolean;
  skipReference: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { rows: 100_000, features: 50, l2: 1, seed: 2024, dump: null, skipCpu: false, skipReference: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--rows") args.rows = Number(value());
    else if (flag === "--features") args.features = Number(value());
    else if (flag === "--l2") args.l2 = Number(value());
    else if (flag === "--seed") args.seed = Number(value());
    else if (flag === "--dump") args.dump = value();
    else if (flag === "--skip-cpu") args.skipCpu = true;
    else if (flag === "--skip-reference") args.skipReference = true;
    else throw new Error(`unknown option ${flag} (--rows N --features P --l2 λ --seed S --dump FILE.csv --skip-cpu --skip-reference)`);
  }
  return args;
}

/** Peak RSS over a phase, sampled every 10 ms (the fit yields to the event loop between iterations). */
class RssSampler {
  private peak = process.memoryUsage().rss;
  private readonly timer = setInterval(() => this.sample(), 10);
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return this.peak;
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const ms = (t: number) => `${t.toFixed(0)} ms`;

/** Wall time, and CPU time of this process (steadier on a shared machine), and peak RSS. */
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number; peakRss: number }> {
  const sampler = new RssSampler();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, ms: elapsed, cpuMs: (used.user + used.system) / 1000, peakRss: sampler.stop() };
}

const times = (t: { ms: number; cpuMs: number }) => `${ms(t.ms)} wall / ${ms(t.cpuMs)} CPU`;

/** Known weights: 40 informative features on scales from 0.01 to 1000, 10 pure noise. */
function features(p: number, seed: number): SimulatedFeature[] {
  const rng = mulberry32(seed);
  const normal = gaussian(rng);
  return Array.from({ length: p }, (_, j) => {
    const sd = 10 ** (-2 + 5 * rng());
    const perSd = j < Math.ceil(p * 0.8) ? 0.4 * normal() : 0;
    return { name: `f${j + 1}`, mean: 3 * sd * normal(), sd, weight: perSd / sd };
  });
}

/**
 * Textbook IRLS in plain JavaScript, Float64 throughout: the reference a reader can check
 * by eye. Same objective as trainLogistic (standardised features, unpenalised intercept).
 */
function plainIrls(X: Float64Array, y: ArrayLike<number>, n: number, p: number, l2: number, tol = 1e-8) {
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += X[i * p + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) sd[j] += (X[i * p + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < p; j++) sd[j] = Math.sqrt(sd[j]);
  const d = p + 1;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    z[i * d] = 1;
    for (let j = 0; j < p; j++) z[i * d + j + 1] = (X[i * p + j] - mean[j]) / sd[j];
  }
  const beta = new Float64Array(d);
  let iterations = 0;
  for (; iterations < 100; iterations++) {
    const h = new Float64Array(d * d);
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let eta = 0;
      for (let a = 0; a < d; a++) eta += z[i * d + a] * beta[a];
      const prob = 1 / (1 + Math.exp(-eta));
      const w = prob * (1 - prob);
      for (let a = 0; a < d; a++) {
        const za = z[i * d + a];
        g[a] += za * (y[i] - prob);
        const wa = w * za;
        for (let b = 0; b <= a; b++) h[a * d + b] += wa * z[i * d + b];
      }
    }
    for (let a = 1; a < d; a++) {
      g[a] -= l2 * beta[a];
      h[a * d + a] += l2;
    }
    // Cholesky solve of h·Δ = g (lower triangle filled).
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        let s = h[a * d + b];
        for (let k = 0; k < b; k++) s -= h[a * d + k] * h[b * d + k];
        h[a * d + b] = a === b ? Math.sqrt(s) : s / h[b * d + b];
      }
    }
    const v = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let s = g[a];
      for (let k = 0; k < a; k++) s -= h[a * d + k] * v[k];
      v[a] = s / h[a * d + a];
    }
    let step = 0;
    for (let a = d - 1; a >= 0; a--) {
      let s = v[a];
      for (let k = a + 1; k < d; k++) s -= h[k * d + a] * v[k];
      v[a] = s / h[a * d + a];
      beta[a] += v[a];
      step = Math.max(step, Math.abs(v[a]));
    }
    if (step < tol) {
      iterations++;
      break;
    }
  }
  return { standardized: beta, iterations };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

const standardized = (fit: LogisticFit) => fit.coefficients.map((c) => c.standardized);
const estimates = (fit: LogisticFit) => fit.coefficients.map((c) => c.estimate);

async function dumpCsv(file: string, X: Float64Array, y: ArrayLike<number>, n: number, p: number, names: string[]) {
  const out = createWriteStream(file);
  const write = (chunk: string) =>
    new Promise<void>((resolve, reject) => (out.write(chunk) ? resolve() : out.once("drain", resolve).once("error", reject)));
  await write(`${names.join(",")},won\n`);
  let buffer = "";
  for (let i = 0; i < n; i++) {
    let line = "";
    for (let j = 0; j < p; j++) line += `${X[i * p + j]},`;
    buffer += `${line}${y[i]}\n`;
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = "";
    }
  }
  await write(buffer);
  await new Promise<void>((resolve, reject) => out.end(() => resolve()).once("error", reject));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { rows: n, features: p, l2 } = args;
  console.log(`Training benchmark: ${n.toLocaleString("en")} rows × ${p} features, l2 = ${l2}, seed ${args.seed}`);

  const generated = performance.now();
  const truth = features(p, args.seed);
  const { matrix } = simulateLogistic(truth, { n, intercept: -1, seed: args.seed });
  let won = 0;
  for (const v of matrix.y) won += v;
  console.log(`  data         generated in ${ms(performance.now() - generated)}; ${won} won, ${n - won} lost`);

  const init = await timed(() => getBackend());
  const backend = init.value;
  console.log(`  backend      ${backend.name} (initialised in ${ms(init.ms)})`);
  for (const s of backend.skipped) console.log(`               skipped ${s.name}: ${s.reason}`);

  const baselineRss = process.memoryUsage().rss;
  // One untimed fit warms up the JIT and the wasm heap; then the median of three.
  const warmUp = await timed(() => fitLogistic(matrix, { l2 }));
  const runs = [];
  for (let run = 0; run < 3; run++) runs.push(await timed(() => fitLogistic(matrix, { l2 })));
  runs.sort((a, b) => a.ms - b.ms);
  const final = runs[1];
  console.log(
    `  final fit    ${times(final)} (median of 3; first fit ${ms(warmUp.ms)}), ${final.value.iterations} Newton ` +
      `iterations after a 5k-row presolve, converged: ${final.value.converged}`,
  );
  console.log(`               RSS ${mb(baselineRss)} before fitting (data, tfjs), peak ${mb(Math.max(warmUp.peakRss, ...runs.map((r) => r.peakRss)))} while fitting`);
  const full = await timed(() => trainLogistic(matrix, { l2 }));
  const report = full.value.report;
  const foldIterations = report.crossValidation?.perFold.map((f) => f.iterations).join("/") ?? "-";
  console.log(
    `  with CV      ${times(full)}: holdout 25 % (${report.holdout?.iterations} it.) + 5-fold CV (${foldIterations} it.) ` +
      `+ final fit ${ms(report.finalFitMs)} (${report.iterations} it., warm-started); peak RSS ${mb(full.peakRss)}`,
  );
  console.log(
    `  metrics      holdout AUC ${report.holdout?.auc.toFixed(4)}, CV AUC ${report.crossValidation?.mean.auc.toFixed(4)} ` +
      `± ${report.crossValidation?.sd.auc.toFixed(4)}, log loss ${report.holdout?.logLoss.toFixed(4)}`,
  );
  const trueStandardized = truth.map((f) => f.weight * f.sd);
  const recovered = final.value.coefficients.slice(1).map((c, k) => Math.abs(c.standardized - trueStandardized[k]));
  const worstZ = Math.max(
    ...final.value.coefficients.slice(1).map((c, k) => Math.abs(c.estimate - truth[k].weight) / c.stdError),
  );
  console.log(
    `  recovery     max |β̂ − β| (standardised) ${Math.max(...recovered).toFixed(4)}; worst error ${worstZ.toFixed(2)} SE ` +
      `(the l2 = ${l2} shrinkage is included)`,
  );

  if (!args.skipCpu) {
    const cpu = await timed(() => fitLogistic(matrix, { l2, backend: "cpu" }));
    console.log(
      `  cpu backend  ${times(cpu)}, ${cpu.value.iterations} iterations; max |Δ coefficient| vs ${backend.name}: ` +
        `${maxAbsDiff(estimates(final.value), estimates(cpu.value)).toExponential(2)} (original scale), ` +
        `${maxAbsDiff(standardized(final.value), standardized(cpu.value)).toExponential(2)} (standardised)`,
    );
  }
  if (!args.skipReference) {
    const reference = await timed(async () => plainIrls(matrix.X, matrix.y, n, p, l2));
    console.log(
      `  plain JS     textbook IRLS (Float64, no tfjs): ${times(reference)}, ${reference.value.iterations} iterations; ` +
        `max |Δ standardised coefficient| vs ${backend.name}: ` +
        `${maxAbsDiff(reference.value.standardized, standardized(final.value)).toExponential(2)}`,
    );
  }

  const usage = process.resourceUsage();
  const sampled = Math.max(warmUp.peakRss, full.peakRss, ...runs.map((r) => r.peakRss));
  console.log(`  memory       peak RSS sampled ${mb(sampled)} during default-backend fits; maxRSS ${mb(usage.maxRSS * 1024)} for the whole process`);

  if (args.dump) {
    await dumpCsv(args.dump, matrix.X, matrix.y, n, p, matrix.featureNames);
    const coefFile = `${args.dump}.quorum.json`;
    await new Promise<void>((resolve, reject) =>
      createWriteStream(coefFile)
        .end(JSON.stringify({ l2, standardized: standardized(final.value), seconds: final.ms / 1000 }))
        .once("finish", resolve)
        .once("error", reject),
    );
    console.log(`\nWrote ${args.dump} and ${coefFile}. Compare with scikit-learn:\n`);
    console.log(
      [
        `python3 - <<'PY'`,
        `import json, time, numpy as np`,
        `from sklearn.preprocessing import StandardScaler`,
        `from sklearn.linear_model import LogisticRegression`,
        `d = np.loadtxt(${JSON.stringify(args.dump)}, delimiter=",", skiprows=1)`,
        `X, y = d[:, :-1], d[:, -1]`,
        `ours = json.load(open(${JSON.stringify(coefFile)}))`,
        `t = time.perf_counter()`,
        `Z = StandardScaler().fit_transform(X)  # population sd, as Quorum`,
        `m = LogisticRegression(C=1 / ours["l2"], tol=1e-8, max_iter=10_000).fit(Z, y)`,
        `t = time.perf_counter() - t`,
        `sk = np.concatenate([m.intercept_, m.coef_[0]])`,
        `print(f"sklearn {t:.3f} s vs Quorum {ours['seconds']:.3f} s; max |diff| {np.max(np.abs(sk - ours['standardized'])):.2e}")`,
        `PY`,
      ].join("\n"),
    );
    console.log(`\nWithout scikit-learn, the same objective through scipy's L-BFGS-B (what its lbfgs solver calls):\n`);
    console.log(
      [
        `python3 - <<'PY'`,
        `import json, time, numpy as np`,
        `from scipy.optimize import minimize`,
        `d = np.loadtxt(${JSON.stringify(args.dump)}, delimiter=",", skiprows=1)`,
        `X, y = d[:, :-1], d[:, -1]`,
        `ours = json.load(open(${JSON.stringify(coefFile)})); lam = ours["l2"]`,
        `t = time.perf_counter()`,
        `Z = (X - X.mean(0)) / X.std(0); n, p = Z.shape`,
        `def f(w):  # scikit-learn's lbfgs objective: mean log loss + λ/(2n)·||w||², intercept free`,
        `    eta = Z @ w[1:] + w[0]; r = 0.5 * (1 + np.tanh(eta / 2)) - y`,
        `    g = np.concatenate([[r.mean()], Z.T @ r / n + lam / n * w[1:]])`,
        `    return np.logaddexp(0, eta).mean() - y @ eta / n + lam / (2 * n) * w[1:] @ w[1:], g`,
        `res = minimize(f, np.zeros(p + 1), jac=True, method="L-BFGS-B",`,
        `               options={"maxiter": 100, "gtol": 1e-4, "ftol": 64 * np.finfo(float).eps, "maxls": 50})`,
        `t = time.perf_counter() - t`,
        `print(f"L-BFGS-B {t:.3f} s ({res.nit} it.) vs Quorum {ours['seconds']:.3f} s; max |diff| {np.max(np.abs(res.x - ours['standardized'])):.2e}")`,
        `PY`,
      ].join("\n"),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
