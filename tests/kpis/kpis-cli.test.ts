/**
 * `quorum kpis` on the hand-built data set: the table, --json, and the --html page as
 * headless Chromium renders it (the DOM, and the pixels of a screenshot).
 */
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdoutCommand } from "../../src/cli/holdout.command";
import { kpisCommand } from "../../src/cli/kpis.command";
import { HOLDOUT_COLOUR, TREATED_COLOUR } from "../../src/kpis/kpi-report.html";
import { chromiumPath, renderDom, screenshot } from "../support/chromium";
import { runCommand as run } from "../support/cli";
import { countColour, readPng } from "../support/png";
import { freshDatabase, type TestDatabase } from "../support/db";
import { FROM, loadKpiFixture, TO } from "./kpi-fixture";

let database: TestDatabase;
let dir: string;
const savedUrl = process.env.DATABASE_URL;
/** Screenshots land here (git-ignored) for a person to look at. */
const SHOTS = path.resolve(".screenshots", "kpis");

beforeAll(async () => {
  database = await freshDatabase();
  await loadKpiFixture(database.db);
  process.env.DATABASE_URL = database.url;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-kpis-"));
  fs.mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  await database?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});


const WINDOW = ["--from", FROM.toISOString(), "--to", TO.toISOString()];

describe("quorum kpis", () => {
  it("prints a readable table: per band, each KPI treated against holdout with lift, p and warning marks", async () => {
    const { code, out } = await run(kpisCommand, WINDOW);
    expect(code).toBe(0);
    expect(out).toContain("Band KPIs — model default v1, window 2026-01-01T00:00:00.000Z → 2026-07-01T00:00:00.000Z, 95% intervals");
    expect(out).toContain("Version: default v1: no activation of \"default\" is recorded at or before 2026-01-01T00:00:00.000Z, so the report uses the current ACTIVE version, which has a run at or before it.");
    expect(out).toContain("Hot (70–100, play 1:1, SLA 24 h) — 8 treated, 4 holdout accounts");
    // the answer first: one headline per band, with counts, the interval and the adjusted p-value
    expect(out).toMatch(/Does acting on the score pay off\?\n {2}- All bands: treated accounts opened an opportunity at [\d.]+% \(\d+\/27\) against [\d.]+% \(\d+\/11\) in the holdout: lift [\d.]+ \(95% CI [\d.]+–[\d.]+, adjusted p [\d.]+\)/);
    expect(out).toMatch(/ {2}- Hot \(70–100, play 1:1, SLA 24 h\): treated accounts opened an opportunity at 87\.5% \(7\/8\) against 75\.0% \(3\/4\) in the holdout: lift 1\.17 \(95% CI [\d.]+–[\d.]+, adjusted p 1\.000\), no clear difference, and too few accounts to conclude anything\. No KPI differs clearly after adjusting for \d+ comparisons\./);
    expect(out).toMatch(/ {2}- UNSCORED \(no score\): nothing to compare yet, because no holdout account was in UNSCORED at the window's start\./);
    // Hot meeting rate: 5/8 treated, 2/4 holdout, lift 1.25, pooled-z p = 0.679; Holm-adjusted 1.000
    expect(out).toMatch(/ {2}Meeting rate +↑ better +62\.5% \[30\.6, 86\.3\] 5\/8 +50\.0% \[15\.0, 85\.0\] 2\/4 +1\.25 \[[\d.]+, [\d.]+\] +0\.679 +1\.000 +! too small/);
    expect(out).toMatch(/ {2}Average won amount +↑ better +36,250 \[[\d,]+, [\d,]+\] n=4 +20,000 n=1 +1\.81 +– +– +! too small/);
    expect(out).toMatch(/ {2}Median velocity +↓ better +40\.0 d/);
    expect(out).toMatch(/ {2}Speed to first touch +↓ better +– n=0, 0 untouched/);
    expect(out).toMatch(/Median velocity +lower is better +Median days from creation to close/);
    expect(out).toContain("Band trend: accounts per band, runs in the window:");
    expect(out).toContain("Is the score right?");
    expect(out).toContain("Conversion rises with the band: yes");
    expect(out).toMatch(/AUC of the score at the window's start: 0\.\d{3} \(37 scored accounts, 10 won\)/);
    expect(out).toContain("Warnings:");
  });

  it("prints the report as JSON with --json", async () => {
    const { code, out } = await run(kpisCommand, [...WINDOW, "--json", "--by-tier"]);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { model: string; overall: { treated: { accounts: number } }; groups: { tier: string | null }[] };
    expect(report.model).toBe("default");
    expect(report.overall.treated.accounts).toBe(27);
    expect(report.groups.some((g) => g.tier === "A")).toBe(true);
  });

  it.skipIf(!chromiumPath())("says \"nothing to compare yet, because …\" instead of drawing empty charts when nobody was held out at from", async () => {
    // A window before the fixture's holdout began (2025-12-01): every account is treated at its start.
    const file = path.join(dir, "nothing.html");
    const { code, out } = await run(kpisCommand, ["--from", "2025-11-15T00:00:00Z", "--to", "2025-11-30T00:00:00Z", "--html", file]);
    expect(code).toBe(0);
    expect(out).toContain("  Nothing to compare yet, because no account was held out at 2025-11-15T00:00:00.000Z: the holdout began 2025-12-01T00:00:00.000Z. Pick a window that starts after that.");
    const dom = await renderDom(file);
    expect(dom).not.toContain("<figure class=\"chart");
    expect(dom).toContain("<p class=\"nothing\">Nothing to compare yet, because no account was held out at 2025-11-15T00:00:00.000Z: the holdout began 2025-12-01T00:00:00.000Z. Pick a window that starts after that.</p>");
    expect(dom).toContain("Nothing to chart yet, because the model line has no scoring run in the window");
    fs.copyFileSync(file, path.join(SHOTS, "kpis-nothing-to-compare.html"));
    const png = path.join(SHOTS, "kpis-nothing-to-compare.png");
    await screenshot(file, png, { width: 1200, height: 1400 });
    const image = readPng(png);
    expect(countColour(image, TREATED_COLOUR)).toBe(0); // no bars at all
  });

  it("refuses a missing or offset-less date with a usage error", async () => {
    await expect(run(kpisCommand, ["--to", TO.toISOString()])).rejects.toThrow(/--from is required/);
    await expect(run(kpisCommand, ["--from", "2026-01-01T00:00:00", "--to", TO.toISOString()])).rejects.toThrow(/with an offset/);
  });

  it.skipIf(!chromiumPath())("writes a self-contained HTML page whose charts Chromium renders with the report's numbers", async () => {
    const file = path.join(dir, "kpis.html");
    const { code, out } = await run(kpisCommand, [...WINDOW, "--html", file, "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { groups: { band: string; tier: string | null; treated: Record<string, { value: number | null }>; holdout: Record<string, { value: number | null }>; lift: Record<string, { estimate: number | null }> }[] };
    const html = fs.readFileSync(file, "utf8");
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // nothing to fetch, nothing to run

    const dom = await renderDom(file);
    const kpis = ["meetingRate", "opportunityRate", "winRate", "averageAcv", "medianVelocityDays", "pipelinePerAccount"];
    for (const kpi of kpis) expect(dom).toContain(`<figure class="chart" data-kpi="${kpi}">`);
    // every bar of every band carries the report's value, and shows it
    for (const g of report.groups.filter((x) => x.tier === null)) {
      for (const kpi of kpis) {
        for (const side of ["treated", "holdout"] as const) {
          const value = g[side][kpi]!.value;
          const attrs = `data-kpi="${kpi}" data-band="${g.band}" data-side="${side}"`;
          if (value === null) expect(dom).toContain(`<text class="no-value" ${attrs}`);
          else expect(dom).toContain(`<rect class="bar" ${attrs} data-value="${value}"`);
        }
      }
    }
    expect(dom).toMatch(/<text class="value" data-kpi="meetingRate" data-band="Hot" data-side="treated"[^>]*>62\.5%<\/text>/);
    expect(dom).toMatch(/<g class="whisker" data-kpi="meetingRate" data-band="Hot" data-side="treated" data-low="0\.30/);
    expect(dom).toMatch(/<text class="lift" data-kpi="meetingRate" data-band="Hot" data-lift="1\.25"[^>]*>lift 1\.25 \[/);

    // the answer and the numbers a council reads: headlines, counts, direction of good, adjusted p
    expect(dom).toMatch(/<ul class="headlines"><li>All bands: treated accounts opened an opportunity at/);
    expect(dom).toMatch(/<tr data-kpi="winRate"><th>Win rate<\/th><td class="dir">↑ better<\/td><td>66\.7% \[[\d.]+, [\d.]+\]<\/td><td class="n">4\/6<\/td>/);
    expect(dom).toMatch(/<tr data-kpi="medianVelocityDays"><th>Median velocity<\/th><td class="dir">↓ better<\/td>/);
    expect(dom).toContain("<th>Hot</th><td>70–100</td><td>1:1</td><td>24 h</td>");
    expect(dom).toMatch(/<text class="counts" data-kpi="meetingRate" data-band="Hot" data-side="treated"[^>]*>5\/8<\/text>/);
    // no run pair in the window: the trend says why instead of drawing axes; KPIs without values say why too
    expect(dom).toContain("Nothing to chart yet, because the model line has only one scoring run in the window; the band trend needs two runs or more.");
    expect(dom).toMatch(/<figure class="chart empty" data-kpi="medianHoursToFirstTouch"><figcaption>Speed to first touch <small>↓ better<\/small><\/figcaption><p class="nothing">Nothing to compare yet, because /);

    fs.copyFileSync(file, path.join(SHOTS, "kpis-report.html"));
    const png = path.join(SHOTS, "kpis-report.png");
    await screenshot(file, png, { width: 1400, height: 2400 });
    expect(fs.statSync(png).size).toBeGreaterThan(20_000);
    const image = readPng(png);
    const count = (hex: string) => countColour(image, hex);
    // bars were drawn in both colours, not just written into the markup
    expect(count(TREATED_COLOUR)).toBeGreaterThan(500);
    expect(count(HOLDOUT_COLOUR)).toBeGreaterThan(300);
  });
});

describe("quorum holdout", () => {
  it("assigns and lists holdout accounts", async () => {
    const { code, out } = await run(holdoutCommand, ["assign", "--share", "0.5", "--seed", "3", "--stratify", "none", "--replace", "--json"]);
    expect(code).toBe(0);
    const a = JSON.parse(out) as { accountsIn: number; strata: { stratum: string; targets: number }[] };
    expect(a.strata).toEqual([expect.objectContaining({ stratum: "ALL", targets: 38 })]);
    expect(a.accountsIn).toBe(19);
    const list = await run(holdoutCommand, ["list"]);
    expect(list.out).toMatch(/share 0\.5 seed 3 by NONE: 19 in/);
    await expect(run(holdoutCommand, ["assign", "--seed", "3"])).rejects.toThrow(/--share is required/);
  });

  it("releases accounts with a reason and prints the history", async () => {
    const [domain] = (await database.db.query<{ domain: string }>("SELECT domain FROM accounts WHERE is_holdout ORDER BY domain LIMIT 1")).map((r) => r.domain);
    const { code, out } = await run(holdoutCommand, ["release", "--reason", "asked for a call", domain!]);
    expect(code).toBe(0);
    expect(out).toBe(`Released 1 account from the holdout: ${domain}.\n`);
    const history = await run(holdoutCommand, ["history", "--account", domain!]);
    expect(history.out).toMatch(new RegExp(`^${domain!.replace(/\./g, "\\.")} {2}in \\S+ by cli: draw \\d+: 0\\.5 of each target account stratum, seed 3, replacing → out \\S+ by cli: asked for a call\\n`));
    await expect(run(holdoutCommand, ["release", domain!])).rejects.toThrow(/--reason is required/);
  });
});
