import { describe, expect, it } from "vitest";
import type { FactValue } from "../../../src/facts/types.js";
import { shellReadingScript } from "../../../src/facts/here-document.js";
import { shellModule } from "../../../src/modules/shell.js";
import { planModule } from "../../support/plan-module.js";
import { applyHere, sh } from "./local-host.js";

const exists: FactValue = { exists: true, type: "directory", mode: "0755", owner: "root", group: "root", size: 4096 };

function command(rawArgs: unknown): { script: string; description: string } {
  const { plan } = planModule(shellModule, rawArgs, {});
  if (plan.kind !== "change" || plan.commands[0] === undefined) throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
  expect(plan.commands).toHaveLength(1);
  return plan.commands[0];
}

describe("shell: cmd runs as one /bin/sh script, read from a here-document (never on a command line)", () => {
  it.each(["echo hello", "lxc list --format csv | grep -c RUNNING > /tmp/n", "echo \"it's $HOME\"", "a\nb"])("%s", (cmd) => {
    expect(command({ cmd }).script).toBe(shellReadingScript("/bin/sh", cmd));
    expect(command({ cmd }).script).not.toMatch(/sh -c/);
  });

  it("chdir first, then the script", () => {
    expect(command({ cmd: "ls | wc -l", chdir: "/var/snap/lxd" })).toEqual({
      script: `cd -- /var/snap/lxd\n${shellReadingScript("/bin/sh", "ls | wc -l")}`,
      description: "run with sh in /var/snap/lxd: ls | wc -l",
    });
  });

  it("creates / removes skip it like command", () => {
    expect(planModule(shellModule, { cmd: "mkdir /srv/x", creates: "/srv/x" }, { "file:/srv/x": exists }).plan).toEqual({ kind: "ok", reason: "/srv/x exists" });
    expect(planModule(shellModule, { cmd: "rm -r x", removes: "x", chdir: "/srv" }, { "file:/srv/x": { exists: false } }).plan).toEqual({
      kind: "ok",
      reason: "/srv/x does not exist",
    });
  });

  it("is not verifiable and takes cmd as free form", () => {
    expect(shellModule.verifiable).toBe(false);
    expect(shellModule.freeForm).toBe("cmd");
  });
});

describe("shell: the script keeps sh semantics when run for real", () => {
  it("pipes, variables and redirections work", () => {
    expect(sh(command({ cmd: "x=4; echo $((x * 2)) | tr 8 9" }).script)).toEqual({ stdout: "9\n", stderr: "", exitCode: 0 });
  });

  it("the apply script's set -e does not reach into it: only its exit status counts", () => {
    expect(applyHere([command({ cmd: "false; echo still here" })])).toEqual({ stdout: "still here\n", stderr: "", exitCode: 0 });
    expect(applyHere([command({ cmd: "echo out; exit 4" })]).exitCode).toBe(4);
  });

  it("runs in chdir, and fails when chdir does not exist", () => {
    expect(applyHere([command({ cmd: "pwd", chdir: "/tmp" })]).stdout).toBe("/tmp\n");
    expect(applyHere([command({ cmd: "pwd", chdir: "/fleet-no-such-dir" })]).exitCode).not.toBe(0);
  });
});

describe("shell: argument errors name their path", () => {
  it.each([
    [{}, "cmd"],
    [{ cmd: "" }, "cmd"],
    [{ cmd: "echo \0" }, "cmd"],
    [{ cmd: "ls", creates: "" }, "creates"],
    [{ cmd: "ls", chdir: 5 }, "chdir"],
    [{ cmd: "ls", executable: "/bin/bash" }, ""],
  ])("%j → %s", (args, path) => {
    const result = shellModule.args.safeParse(args);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(path);
  });

  it("accepts what command could not split: the shell reads it", () => {
    expect(shellModule.args.safeParse({ cmd: "echo 'a" }).success).toBe(true);
  });
});

describe("shell: the read-only script (changed_when: false)", () => {
  it("is the same script, in chdir", () => {
    const script = shellModule.readOnlyScript?.(shellModule.args.parse({ cmd: "ls | wc -l", chdir: "/" }));
    expect(script).toBe(`cd -- / || exit\n${shellReadingScript("/bin/sh", "ls | wc -l")}`);
    expect(sh(script ?? "").stdout).toMatch(/^\d+\n$/);
  });
});
