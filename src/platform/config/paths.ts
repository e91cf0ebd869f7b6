import fs from "node:fs";
import path from "node:path";

/** The folder holding package.json, whether running from `src/` (tests) or `dist/src/`. */
export const projectRoot: string = findRoot(__dirname);

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "migrations"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the Quorum project folder above ${start}`);
    dir = parent;
  }
}
