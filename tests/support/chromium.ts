import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Headless Chromium for tests that must see a page as a browser renders it (HTML reports).
 * Uses `CHROMIUM_PATH`, else the first of chromium / chromium-browser / google-chrome found.
 * Every launch gets a throw-away profile and no network side-channels (no background
 * networking, component updates or sync), so a test never depends on the outside world.
 */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  return candidates.find((c): c is string => !!c && fs.existsSync(c)) ?? null;
}

async function runChromium(args: string[], timeoutMs: number): Promise<string> {
  const binary = chromiumPath();
  if (!binary) throw new Error("Chromium is not installed: install Debian's `chromium` or set CHROMIUM_PATH.");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-chromium-"));
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(binary, [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
        `--user-data-dir=${profile}`, ...args,
      ], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
        else resolve(stdout);
      });
    });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM of a local HTML file after Chromium loaded (and ran) it, serialised. */
export function renderDom(filePath: string, opts: { timeoutMs?: number } = {}): Promise<string> {
  return runChromium(["--dump-dom", pathToFileURL(path.resolve(filePath)).href], opts.timeoutMs ?? 60_000);
}

/** Renders a local HTML file to a PNG of the given window size. */
export async function screenshot(filePath: string, pngPath: string, opts: { width?: number; height?: number; timeoutMs?: number } = {}): Promise<void> {
  await runChromium([
    `--screenshot=${path.resolve(pngPath)}`, `--window-size=${opts.width ?? 1280},${opts.height ?? 2000}`,
    pathToFileURL(path.resolve(filePath)).href,
  ], opts.timeoutMs ?? 60_000);
  if (!fs.existsSync(pngPath)) throw new Error(`chromium wrote no screenshot to ${pngPath}`);
}
