import { describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { fleetVersion } from "../../../src/cli/version.js";
import { captureIo } from "../../support/capture-io.js";

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
