import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("a closed standard output", () => {
  it("ends fleet with the command's exit code and no stack trace", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-epipe-"));
    const inventory = path.join(dir, "hosts.yml");
    writeFileSync(inventory, "all:\n  hosts:\n    l1: { ansible_connection: local }\n");
    const cli = `${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts`;
    for (const [command, code] of [["seq 1 100000", 0], ["seq 1 100000; exit 3", 2]] as const) {
      const result = spawnSync("/bin/bash", ["-c", `set -o pipefail; ${cli} exec -i ${inventory} -- ${JSON.stringify(command)} | head -1`], { encoding: "utf8", timeout: 60_000 });
      expect(result.stdout, command).toMatch(code === 0 ? /^==> l1 \| ok \| rc=0/ : /^==> l1 \| failed \| rc=3/);
      expect(result.stderr, command).not.toMatch(/EPIPE|at .*\.js:\d+/);
      expect(result.status, command).toBe(code);
    }
  }, 60_000);
});
