import { describe, expect, it } from "vitest";
import { execExitCode, finishedLine, groupedOutput, progressLine, summaryTable, tally } from "../../../src/cli/exec-output.js";
import type { ExecHostResult } from "../../../src/engine/exec.js";

const ok: ExecHostResult = {
  host: "web1",
  status: "ok",
  result: { command: "uptime", exitCode: 0, signal: null, stdout: "up 3 days\n", stderr: "", truncated: false, timedOut: false, interrupted: false, becomeFailure: null, durationMs: 420 },
  message: null,
  hint: null,
  code: null,
  durationMs: 1234,
};
const failed: ExecHostResult = {
  ...ok,
  host: "web2",
  status: "failed",
  result: { ...ok.result!, exitCode: 127, stdout: "", stderr: "sh: nope: not found\n", truncated: true },
  message: "exit 127: command not found: sh: nope: not found",
};
const unreachable: ExecHostResult = { host: "db1", status: "unreachable", result: null, message: "db1: connection refused by 10.0.0.9:22", hint: "is sshd running?", code: "SSH_CONNECTION_REFUSED", durationMs: 5 };

describe("exec output", () => {
  it("counts and draws the live progress line", () => {
    expect(progressLine(tally([ok, failed, unreachable], 50))).toBe("3/50 hosts · 1 failed · 1 unreachable");
  });

  it("prints one line per finished host when not on a terminal", () => {
    expect([ok, failed, unreachable].map(finishedLine)).toEqual([
      "web1: OK rc=0 (1.23 s)",
      "web2: FAILED exit 127: command not found: sh: nope: not found (1.23 s)",
      "db1: UNREACHABLE db1: connection refused by 10.0.0.9:22 (0.01 s)",
    ]);
  });

  it("groups each host's output under a header, with stderr, truncation, reason and hint", () => {
    expect(groupedOutput([ok, failed, unreachable])).toBe(
      [
        "==> web1 | ok | rc=0 | 1.23 s",
        "up 3 days",
        "",
        "==> web2 | failed | rc=127 | 1.23 s",
        "(output truncated: only the end is shown)",
        "--- stderr",
        "sh: nope: not found",
        "!! exit 127: command not found: sh: nope: not found",
        "",
        "==> db1 | unreachable | 0.01 s",
        "!! db1: connection refused by 10.0.0.9:22",
        "   hint: is sshd running?",
        "",
      ].join("\n"),
    );
  });

  it("neutralises terminal escape sequences from hosts and shows a truncated capture from its first whole line", () => {
    const hostile = { ...ok, result: { ...ok.result!, stdout: "half a line\nclear\u001b[2J title\u001b]0;pwned\u0007 tab\tend\n", truncated: true } };
    expect(groupedOutput([hostile])).toBe(["==> web1 | ok | rc=0 | 1.23 s", "(output truncated: only the end is shown)", "clear\\x1b[2J title\\x1b]0;pwned\\x07 tab\tend", ""].join("\n"));
  });

  it("summarizes in a table with host, status, rc and duration", () => {
    const text = summaryTable([ok, failed, unreachable]);
    expect(text).toMatch(/│ host +│ status +│ rc +│ duration │/);
    expect(text).toMatch(/│ web2 +│ failed +│ 127 +│ 1\.23 s +│/);
    expect(text).toMatch(/│ db1 +│ unreachable +│ - +│ 0\.01 s +│/);
    expect(text.trimEnd().split("\n").at(-1)).toBe("3 hosts: 1 ok, 1 failed, 1 unreachable");
  });

  it.each([
    [[ok], 0],
    [[ok, unreachable], 3],
    [[ok, failed], 2],
    [[failed, unreachable], 2],
  ] as const)("exit code for %# is %d", (results, code) => {
    expect(execExitCode(results)).toBe(code);
  });
});
