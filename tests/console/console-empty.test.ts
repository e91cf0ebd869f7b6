/**
 * The console on a database with nothing in it yet: every page says why it has nothing to show
 * instead of drawing empty axes, and a key that cannot read is told so.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { Role } from "../../src/auth/roles";
import { clearScreenshots, launchBrowser, shoot } from "../support/browser";
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  clearScreenshots("empty-");
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(key: string): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));
  await page.goto(new URL("/console/", server.url).href);
  await page.getByTestId("api-key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("who").waitFor();
  return { page, problems };
}

async function emptyTexts(page: Page, hash: string): Promise<string[]> {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.getByTestId("loading").waitFor({ state: "detached" });
  await page.getByTestId("empty").first().waitFor();
  return page.getByTestId("empty").allTextContents();
}

describe("the console with no data", () => {
  it("says on every page why there is nothing to show", async () => {
    const { page, problems } = await signIn(TEST_ADMIN_KEY);
    const overview = await emptyTexts(page, "#/");
    expect(overview[0]).toMatch(/run scoring|no scoring run/i);
    expect(overview).toContain("No account entered a band today: no scoring run today changed a band.");
    expect(await page.locator("figure.chart").count()).toBe(0);
    await shoot(page, "empty-overview");
    expect(await emptyTexts(page, "#/accounts")).toEqual(["No accounts yet: load some with upsertAccounts or `quorum import`."]);
    expect((await emptyTexts(page, "#/proposals"))[0]).toMatch(/^Nothing to review: no training run has proposed a re-weighting/);
    await shoot(page, "empty-proposals");
    await page.evaluate(() => { location.hash = "#/nowhere"; });
    await expect(page.locator("main h1").textContent()).resolves.toBe("No such page");
    expect(problems).toEqual([]);
  });

  it("tells an INGEST key that it cannot read, instead of failing page by page", async () => {
    const { key } = await server.app.services.apiKeys.create("loader", Role.INGEST);
    const { page, problems } = await signIn(key);
    await expect(page.getByTestId("error").textContent()).resolves.toContain("has role INGEST, which writes data but cannot read it");
    expect(await page.locator("figure.chart, table").count()).toBe(0);
    await shoot(page, "empty-ingest-key");
    expect(problems).toEqual([]);
  });
});
