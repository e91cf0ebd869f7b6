import { vi } from "vitest";

/**
 * Runs a `quorum` command in-process and returns its exit code and what it printed on stdout
 * (stderr — progress bars, logs — is silenced). Throws what the command throws.
 */
export async function runCommand(command: { run(argv: string[]): Promise<number> }, argv: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return { code: await command.run(argv), out: chunks.join("") };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
