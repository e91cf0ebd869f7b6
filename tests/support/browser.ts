import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { chromiumPath } from "./chromium";

/** Where browser tests write what they saw (git-ignored); somebody looks at these. */
export const SCREENSHOT_DIR = path.resolve(__dirname, "../../test-results/screenshots");

/**
 * Debian's chromium driven by playwright-core: headless, no sandbox (containers), no GPU and no
 * background networking, so a test never depends on the outside world.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("Chromium is not installed: install Debian's `chromium` (.ci/run does) or set CHROMIUM_PATH.");
  return chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"] });
}

/** A full-page screenshot (or one of an element) named after what it shows, e.g. `console-overview.png`. */
export async function shoot(target: Page | Locator, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  if ("goto" in target) await target.screenshot({ path: file, fullPage: true });
  else await target.screenshot({ path: file });
  return file;
}

/** Removes a test file's screenshots from an earlier run, so the folder shows only what this run saw. */
export function clearScreenshots(prefix: string): void {
  if (!fs.existsSync(SCREENSHOT_DIR)) return;
  for (const file of fs.readdirSync(SCREENSHOT_DIR)) if (file.startsWith(prefix) && file.endsWith(".png")) fs.rmSync(path.join(SCREENSHOT_DIR, file));
}
