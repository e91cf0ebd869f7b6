import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { chromiumPath } from "./chromium";

export interface OfflineBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** Every request the pages tried to send to a host that is not 127.0.0.1 (each was refused). */
  readonly foreignRequests: string[];
  close(): Promise<void>;
}

/**
 * Headless Debian Chromium through playwright-core, cut off from every host but 127.0.0.1: DNS
 * resolves nothing else, and any request to another host is aborted and recorded, so a page
 * that needs a CDN shows it (and fails) here.
 */
export async function launchOfflineBrowser(): Promise<OfflineBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("Chromium is not installed: install Debian's `chromium` or set CHROMIUM_PATH.");
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const foreignRequests: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (/^(https?|wss?):$/.test(url.protocol) && url.hostname !== "127.0.0.1") {
      foreignRequests.push(url.href);
      return route.abort("blockedbyclient");
    }
    return route.continue();
  });
  return { browser, context, foreignRequests, close: () => browser.close() };
}
