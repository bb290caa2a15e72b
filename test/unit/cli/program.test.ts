import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli, type CliIo } from "../../../src/cli/program.js";
import { fleetVersion } from "../../../src/cli/version.js";

function captureIo(): { io: CliIo; stdout: () => string; stderr: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  err.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { io: { stdout: out, stderr: err, env: {} }, stdout: () => stdout, stderr: () => stderr };
}

describe("fleet CLI", () => {
  it("prints help and exits 0", async () => {
    const { io, stdout } = captureIo();
    expect(await runCli(["--help"], io)).toBe(0);
    expect(stdout()).toMatch(/^Usage: fleet/);
  });

  it("prints the package version", async () => {
    const { io, stdout } = captureIo();
    expect(await runCli(["--version"], io)).toBe(0);
    expect(stdout().trim()).toBe(fleetVersion());
    expect(fleetVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 5 on an unknown option, with a hint to --help", async () => {
    const { io, stderr } = captureIo();
    expect(await runCli(["--no-such-option"], io)).toBe(5);
    expect(stderr()).toMatch(/unknown option '--no-such-option'/);
    expect(stderr()).toMatch(/--help/);
  });
});
