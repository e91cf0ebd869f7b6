/**
 * The console in a real browser (playwright-core driving Debian's chromium) against the real API
 * on a real database: a council of two reviews, approves, activates and rolls back a re-weighting
 * entirely in the console; a VIEWER sees the same pages without a single action button, and the
 * API refuses those actions anyway. Every page writes a screenshot under test-results/screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Role } from "../../src/auth/roles";
import { loadDemo } from "../../src/demo/demo.loader";
import { clearScreenshots, launchBrowser, shoot } from "../support/browser";
import { DEFAULT_MODEL_INPUT } from "../../src/scoring/default-model";
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { RUN_SCORING, START_TRAINING, waitForRun, type Run } from "../training/documents";

const SCORE_AS_OF = "mutation ScoreAsOf($asOf: DateTime) { runScoring(asOf: $asOf) { id status } }";

let server: TestServer;
let browser: Browser;
let consoleUrl: string;
const keys: Record<string, string> = {};
let run: Run;

async function key(name: string, role: Role): Promise<string> {
  keys[name] ??= (await server.app.services.apiKeys.create(name, role)).key;
  return keys[name]!;
}

beforeAll(async () => {
  server = await startTestServer();
  await loadDemo(server.database.db, { accounts: 300, seed: 11, now: new Date() });
  const analyst = await server.client(Role.ANALYST);
  // A snapshot ten days ago and one now: the account page has a history line to draw.
  await analyst.request(SCORE_AS_OF, { asOf: new Date(Date.now() - 10 * 86_400_000).toISOString() });
  await analyst.request(RUN_SCORING, {});
  const started = await analyst.request<{ startTrainingRun: Run }>(START_TRAINING, { input: { seed: 7 } });
  run = await waitForRun(analyst, started.startTrainingRun.id);
  if (!run.proposal) throw new Error(`the training run left no proposal: ${run.error ?? run.warnings.join("; ")}`);
  consoleUrl = new URL("/console/", server.url).href;
  clearScreenshots("console-");
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh tab (own sessionStorage), signed in with `apiKey`; browser errors fail the test. */
async function signedIn(apiKey: string): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console error: ${msg.text()}`); });
  await page.goto(consoleUrl);
  await page.getByTestId("api-key").fill(apiKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("who").waitFor();
  return { page, context, problems };
}

async function visit(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.getByTestId("loading").waitFor({ state: "detached" });
}

describe("the console", () => {
  it("signs in with an API key, says why a bad key is refused, and signs out", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(consoleUrl);
    await shoot(page, "console-01-sign-in");
    await page.getByTestId("api-key").fill("qrm_not_a_real_key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("error").textContent()).resolves.toContain("The API key is unknown or revoked");
    await shoot(page, "console-02-sign-in-refused");

    await page.getByTestId("api-key").fill(await key("council-ana", Role.COUNCIL));
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("who").textContent()).resolves.toBe("council-ana · COUNCIL");
    expect(await page.evaluate(() => sessionStorage.getItem("quorum.apiKey"))).toBe(keys["council-ana"]);
    await page.getByTestId("sign-out").click();
    await expect(page.getByTestId("notice").textContent()).resolves.toBe("You are signed out.");
    expect(await page.evaluate(() => sessionStorage.getItem("quorum.apiKey"))).toBeNull();
    await context.close();
  });

  it("shows the overview: bands now with counts, today's transitions and SLA breaches", async () => {
    const { page, context, problems } = await signedIn(await key("viewer-vic", Role.VIEWER));
    const chart = page.getByTestId("bands-chart");
    await chart.waitFor();
    const { scoreDistribution } = await (await server.client(Role.VIEWER)).request<{ scoreDistribution: { band: string; count: number }[] }>(
      "{ scoreDistribution { band count } }");
    expect(await chart.locator("text.axis-label").allTextContents()).toEqual(scoreDistribution.map((b) => b.band));
    expect((await chart.locator("text.value-label").allTextContents()).map((t) => Number(t.split(" ·")[0]!.replace(/,/g, "")))).toEqual(scoreDistribution.map((b) => b.count));
    // Today's band entries per band, as the API counts them (the second scoring run above was today).
    const since = await page.evaluate(() => { const d = new Date(); d.setHours(0, 0, 0, 0); return d.toISOString(); });
    const viewer = await server.client(Role.VIEWER);
    const perBand: number[] = [];
    for (const b of scoreDistribution) {
      const { bandTransitions } = await viewer.request<{ bandTransitions: { totalCount: number } }>(
        "query($since: DateTime!, $band: String!) { bandTransitions(since: $since, kind: BAND, band: [$band]) { totalCount } }", { since, band: b.band });
      perBand.push(bandTransitions.totalCount);
    }
    const entered = perBand.reduce((a, b) => a + b, 0);
    expect(entered).toBeGreaterThan(0);
    expect((await page.getByTestId("entered-chart").locator("text.value-label").allTextContents()).map(Number)).toEqual(perBand);
    await expect(page.getByTestId("transitions").locator("tbody tr").count()).resolves.toBe(Math.min(10, entered));
    await shoot(page, "console-03-overview");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("lists accounts with filters and opens an account: score, why, committee with missing roles, history", async () => {
    const { page, context, problems } = await signedIn(await key("viewer-vic", Role.VIEWER));
    await visit(page, "#/accounts");
    await page.getByTestId("accounts-table").waitFor();
    const all = await page.getByTestId("account-count").textContent();
    await page.getByTestId("filter-band").selectOption("Hot");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/band=Hot/);
    await page.getByTestId("accounts-table").waitFor();
    const hot = await page.getByTestId("account-count").textContent();
    expect(hot).not.toBe(all);
    const bands = await page.getByTestId("accounts-table").locator("tbody tr td:nth-child(5)").allTextContents();
    expect(bands.length).toBeGreaterThan(0);
    expect(new Set(bands)).toEqual(new Set(["Hot"]));
    await shoot(page, "console-04-accounts-hot");

    await page.getByTestId("accounts-table").locator("tbody tr a").first().click();
    await page.getByTestId("score").waitFor();
    await page.getByTestId("contributions-chart").waitFor();
    await page.getByTestId("history-chart").waitFor();
    await expect(page.getByTestId("committee-summary").textContent()).resolves.toMatch(/engaged contact/);
    await expect(page.getByTestId("history-chart").locator("circle").count()).resolves.toBe(2);
    await shoot(page, "console-05-account");

    // An account whose committee lacks required roles names them.
    const { accounts } = await (await server.client(Role.VIEWER)).request<{ accounts: { edges: { node: { id: string; buyingCommittee: { missingRequiredRoles: string[] } } }[] } }>(
      "{ accounts(first: 200, orderBy: { field: SCORE, direction: DESC }) { edges { node { id buyingCommittee { missingRequiredRoles } } } } }");
    const lacking = accounts.edges.map((e) => e.node).find((a) => a.buyingCommittee.missingRequiredRoles.length > 0)!;
    expect(lacking).toBeDefined();
    await visit(page, `#/accounts/${lacking.id}`);
    const summary = await page.getByTestId("committee-summary").textContent();
    expect(summary).toContain("Missing:");
    for (const role of lacking.buyingCommittee.missingRequiredRoles) expect(summary!.toLowerCase()).toContain(role.replace(/_/g, " ").toLowerCase());
    await shoot(page, "console-05b-account-missing-roles");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("lets a council of two review, approve and activate the proposal, then roll back, all in the console", { timeout: 240_000 }, async () => {
    const proposal = run.proposal!;
    const version = proposal.proposedModel.version;
    const viewer = await server.client(Role.VIEWER);
    const { weightProposal: facts } = await viewer.request<{ weightProposal: {
      recommendation: string; approvalsNeeded: number; headlines: string[]; winRateByBand: { currentLow: number | null; proposedLow: number | null }[];
      impact: { accounts: number; targetMovesCount: number; bandMatrix: { accounts: number }[] };
    } }>(
      "query($id: ID!) { weightProposal(id: $id) { recommendation approvalsNeeded headlines winRateByBand { currentLow proposedLow } impact { accounts targetMovesCount bandMatrix { accounts } } } }", { id: proposal.id });
    expect(facts.approvalsNeeded).toBe(2);
    const notRecommended = facts.recommendation === "NOT_RECOMMENDED";

    // First council member: reads the report and the impact preview.
    const ana = await signedIn(await key("council-ana", Role.COUNCIL));
    await visit(ana.page, "#/proposals");
    await ana.page.getByTestId("proposals-table").waitFor();
    await shoot(ana.page, "console-06-proposals");
    await ana.page.getByTestId("proposal-link").first().click();
    await ana.page.getByTestId("summary").waitFor();
    await expect(ana.page.getByTestId("summary").textContent()).resolves.toContain(proposal.verdict);
    await ana.page.getByTestId("points-chart").waitFor();
    await ana.page.getByTestId("winrate-chart").waitFor();
    // Win rates carry their interval as whiskers, one per estimate that has one; the headlines come first.
    const intervalsOnRecord = facts.winRateByBand.flatMap((b) => [b.currentLow, b.proposedLow]).filter((x) => x !== null).length;
    expect(intervalsOnRecord).toBeGreaterThan(0);
    expect(await ana.page.getByTestId("winrate-chart").locator("g.whisker").count()).toBe(intervalsOnRecord);
    if (facts.headlines.length) expect(await ana.page.getByTestId("headlines").locator("li").allTextContents()).toEqual(facts.headlines);
    // The impact preview: the band matrix adds up to the accounts compared, target moves counted.
    await expect(ana.page.getByTestId("impact-summary").textContent()).resolves.toContain(`of ${facts.impact.accounts.toLocaleString("en")} accounts`);
    const matrixTotal = (await ana.page.getByTestId("band-matrix").locator("tbody td:last-child").allTextContents()).reduce((n, t) => n + Number(t.replace(/,/g, "")), 0);
    expect(matrixTotal).toBe(facts.impact.bandMatrix.reduce((n, m) => n + m.accounts, 0));
    await ana.page.getByText(`Target accounts that would move (${facts.impact.targetMovesCount})`).waitFor();
    await shoot(ana.page, "console-07-proposal");
    // The target moves page through the API's cursor: the next page holds the others.
    const firstPage = await ana.page.getByTestId("target-moves").locator("tbody tr td:nth-child(2)").allTextContents();
    expect(firstPage).toHaveLength(Math.min(20, facts.impact.targetMovesCount));
    if (facts.impact.targetMovesCount > 20) {
      await ana.page.getByRole("link", { name: "Next target accounts »" }).click();
      await ana.page.waitForURL(/movesAfter=/);
      await ana.page.getByTestId("target-moves").waitFor();
      const secondPage = await ana.page.getByTestId("target-moves").locator("tbody tr td:nth-child(2)").allTextContents();
      expect(secondPage).toHaveLength(Math.min(20, facts.impact.targetMovesCount - 20));
      expect(secondPage.filter((d) => firstPage.includes(d))).toEqual([]);
    }

    // The API's refusals, as the reviewer reads them: no comment; a NOT_RECOMMENDED proposal without the acknowledgement.
    await ana.page.getByTestId("approve").click();
    await waitForText(ana.page, "error", "comment is blank");
    await ana.page.getByTestId("review-comment").fill("Engagement weights match what closed last quarter.");
    if (notRecommended) {
      await ana.page.getByTestId("approve").click();
      await waitForText(ana.page, "error", "acknowledgeNotRecommended");
      await shoot(ana.page, "console-08a-proposal-needs-acknowledgement");
      await ana.page.getByTestId("acknowledge").check();
    } else {
      expect(await ana.page.getByTestId("acknowledge").count()).toBe(0);
    }
    await ana.page.getByTestId("approve").click();
    await waitForText(ana.page, "approvals", "1 approval so far; 1 more needed");
    await expect(ana.page.getByTestId("reviews").textContent()).resolves.toContain("council-ana");
    await expect(ana.page.getByTestId("activate").isDisabled()).resolves.toBe(true);
    await shoot(ana.page, "console-08-proposal-one-approval");

    // One approval is not enough: the gate says so on the models page.
    await visit(ana.page, "#/models");
    await ana.page.getByTestId(`activate-default-v${version}`).click();
    await waitForText(ana.page, "error", "needs 1 more COUNCIL approval");
    await shoot(ana.page, "console-09-models-gate-refuses");
    await ana.context.close();

    // Second council member approves and activates.
    const ben = await signedIn(await key("council-ben", Role.COUNCIL));
    await visit(ben.page, `#/proposals/${proposal.id}`);
    await ben.page.getByTestId("review-comment").fill("Agreed; the win-rate split by band is clearer.");
    if (notRecommended) await ben.page.getByTestId("acknowledge").check();
    await ben.page.getByTestId("approve").click();
    await waitForText(ben.page, "approvals", "Approved: 2 approvals");
    await waitForText(ben.page, "my-review", "You reviewed this proposal: Approve");
    expect(await ben.page.getByTestId("approve").count()).toBe(0);
    await expect(ben.page.getByTestId("activate").isEnabled()).resolves.toBe(true);
    await shoot(ben.page, "console-10-proposal-approved");
    await ben.page.getByTestId("activate").click();
    await ben.page.getByTestId("notice").waitFor({ timeout: 120_000 });
    await expect(ben.page.getByTestId("live-default").textContent()).resolves.toBe(`v${version}`);
    await expect(ben.page.getByTestId("notice").textContent()).resolves.toContain(`default v${version} is now ACTIVE`);
    const live = await viewer.request<{ activeScoringModel: { id: string; version: number } }>("{ activeScoringModel { id version } }");
    expect(live.activeScoringModel).toEqual({ id: proposal.proposedModel.id, version });
    const audit = await ben.page.getByTestId("audit-log").locator("tbody tr").allTextContents();
    expect(audit[0]).toMatch(new RegExp(`Activated.*v${version}.*council-ben \\(COUNCIL\\)`));
    expect(audit.filter((row) => /Approved/.test(row))).toHaveLength(2);
    await shoot(ben.page, "console-11-models-activated");

    // A readable diff between the two versions.
    await ben.page.getByTestId("model-diff").waitFor();
    const diff = await ben.page.getByTestId("model-diff").textContent();
    expect(diff).toMatch(/Fit rules|Engagement rules|Component weights/);
    await shoot(ben.page.getByTestId("model-diff"), "console-12-models-diff");

    // Roll back to v1: logged as ROLLBACK.
    await ben.page.getByTestId("rollback-default-v1").click();
    await waitForText(ben.page, "notice", "default v1 is now ACTIVE", 120_000);
    await expect(ben.page.getByTestId("live-default").textContent()).resolves.toBe("v1");
    const back = await viewer.request<{ activeScoringModel: { version: number } }>("{ activeScoringModel { version } }");
    expect(back.activeScoringModel.version).toBe(1);
    await expect(ben.page.getByTestId("audit-log").locator("tbody tr").first().textContent()).resolves.toMatch(/Rollback.*v1.*council-ben/);
    await shoot(ben.page, "console-13-models-rolled-back");

    // The proposal's own trail: both approvals and the activation.
    await visit(ben.page, `#/proposals/${proposal.id}`);
    const trail = await ben.page.getByTestId("reviews").locator("tbody tr").allTextContents();
    expect(trail.map((row) => (/Approved/.test(row) ? "APPROVED" : /Activated/.test(row) ? "ACTIVATED" : "other"))).toEqual(["APPROVED", "APPROVED", "ACTIVATED"]);
    expect(await ben.page.getByTestId("approve").count()).toBe(0);
    await shoot(ben.page, "console-14-proposal-trail");
    expect([...ana.problems, ...ben.problems]).toEqual([]);
    await ben.context.close();
  });

  it("lets an ANALYST submit a hand-written draft, and an ADMIN break glass only with a recorded reason", { timeout: 180_000 }, async () => {
    const analyst = await server.client(Role.ANALYST);
    const { createScoringModel: draft } = await analyst.request<{ createScoringModel: { id: string; version: number } }>(
      "mutation($input: ScoringModelInput!) { createScoringModel(input: $input) { id version } }",
      { input: { ...DEFAULT_MODEL_INPUT, description: "More weight on fit for the enterprise push", weights: { fit: 0.45, engagement: 0.2, intent: 0.1, committee: 0.25 } } });
    const v = draft.version;

    const ann = await signedIn(await key("analyst-ann", Role.ANALYST));
    await visit(ann.page, "#/models");
    // An ANALYST may submit drafts but not activate or roll back.
    expect(await ann.page.locator("[data-testid^=activate-], [data-testid^=rollback-]").count()).toBe(0);
    await ann.page.locator("details.glass summary", { hasText: "Submit to the council" }).click();
    await ann.page.getByTestId(`submit-comment-default-v${v}`).fill("Enterprise deals close on fit; engagement is noisy in that segment.");
    await ann.page.getByTestId(`submit-default-v${v}`).click();
    await ann.page.getByTestId("impact-summary").waitFor({ timeout: 60_000 });
    await expect(ann.page.locator("main").textContent()).resolves.toContain("Submitted because: Enterprise deals close on fit");
    await expect(ann.page.getByTestId("approvals").textContent()).resolves.toContain("other than analyst-ann");
    await shoot(ann.page, "console-14a-submitted-draft");
    await ann.context.close();

    // ADMIN: break-glass with a blank reason is refused by the API; with a reason it goes live and is on the record.
    const admin = await signedIn(TEST_ADMIN_KEY);
    await visit(admin.page, "#/models");
    await admin.page.locator("details.glass summary", { hasText: "ADMIN: activate without approval" }).click();
    await admin.page.getByTestId(`override-default-v${v}`).fill("   ");
    await admin.page.getByRole("button", { name: "Break glass" }).click();
    await waitForText(admin.page, "error", "override must say why the council is bypassed");
    await admin.page.getByTestId(`override-default-v${v}`).fill("Scores froze after the CRM migration; restoring service until the council meets.");
    await admin.page.getByRole("button", { name: "Break glass" }).click();
    await waitForText(admin.page, "notice", `default v${v} is now ACTIVE by break-glass`, 120_000);
    await expect(admin.page.getByTestId("live-default").textContent()).resolves.toBe(`v${v}`);
    await expect(admin.page.getByTestId("audit-log").locator("tbody tr").first().textContent()).resolves.toMatch(/Break glass.*Scores froze after the CRM migration/);
    await shoot(admin.page, "console-14b-admin-break-glass");

    // Back to v1 for the pages that follow.
    await admin.page.getByTestId("rollback-default-v1").click();
    await waitForText(admin.page, "notice", "default v1 is now ACTIVE", 120_000);
    expect([...ann.problems, ...admin.problems]).toEqual([]);
    await admin.context.close();
  });

  it("shows the KPI report with its charts", { timeout: 150_000 }, async () => {
    const { page, context, problems } = await signedIn(await key("viewer-vic", Role.VIEWER));
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 120 * 86_400_000).toISOString().slice(0, 10);
    await visit(page, `#/kpis?from=${from}&to=${today}`);
    await page.getByTestId("kpi-meetings").waitFor({ timeout: 90_000 });
    await page.getByTestId("kpi-conversion").waitFor();
    // The demo has no holdout at the window's start: the page says so instead of drawing empty holdout bars.
    await page.getByTestId("no-holdout").waitFor();
    expect(await page.getByTestId("kpi-meetings").locator("rect.series-holdout").count()).toBe(0);
    expect(await page.getByTestId("kpi-meetings").locator("rect.series-treated").count()).toBeGreaterThan(0);
    await shoot(page, "console-15-kpis");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("gives a VIEWER the same pages without action buttons, and the API refuses those actions anyway", async () => {
    const viewerKey = await key("viewer-vic", Role.VIEWER);
    const { page, context, problems } = await signedIn(viewerKey);
    const proposal = run.proposal!;
    await visit(page, `#/proposals/${proposal.id}`);
    await page.getByTestId("summary").waitFor();
    // Reading stays possible (recompute the impact preview); nothing that decides is offered.
    expect(await page.locator("main button").allTextContents()).toEqual(["Recompute as of now"]);
    await expect(page.getByTestId("review-comment").count()).resolves.toBe(0);
    // Recomputing the impact is a read: it works for a VIEWER, as of now (v1 is live again, so it compares with v1).
    const { proposalImpact } = await (await server.client(Role.VIEWER)).request<{ proposalImpact: { accounts: number } }>(
      "query($id: ID!) { proposalImpact(id: $id) { accounts } }", { id: proposal.id });
    await page.getByTestId("impact-now").click();
    await waitForText(page, "impact-summary", "Computed now", 60_000);
    await expect(page.getByTestId("impact-summary").textContent()).resolves.toContain(`of ${proposalImpact.accounts.toLocaleString("en")} accounts`);
    await shoot(page, "console-16-viewer-proposal");
    await visit(page, "#/models");
    await page.getByTestId("versions-default").waitFor();
    expect(await page.locator("main button").allTextContents()).toEqual(["Compare"]);
    await shoot(page, "console-17-viewer-models");

    // The same actions sent by hand from the viewer's page, with its key: refused by the API.
    const refused = await page.evaluate(async ({ key, proposalId, modelId }) => {
      const call = async (query: string, variables: Record<string, unknown>) => {
        const res = await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
        const body = await res.json() as { errors?: { extensions?: { code?: string } }[] };
        return body.errors?.[0]?.extensions?.code ?? "OK";
      };
      return [
        await call("mutation($id: ID!) { reviewWeightProposal(id: $id, decision: APPROVE, comment: \"sneaky\") { id } }", { id: proposalId }),
        await call("mutation($id: ID!) { activateScoringModel(id: $id) { id } }", { id: modelId }),
      ];
    }, { key: viewerKey, proposalId: proposal.id, modelId: proposal.proposedModel.id });
    expect(refused).toEqual(["FORBIDDEN", "FORBIDDEN"]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

async function waitForText(page: Page, testid: string, text: string, timeout = 30_000): Promise<void> {
  await page.getByTestId(testid).filter({ hasText: text }).waitFor({ timeout });
}
