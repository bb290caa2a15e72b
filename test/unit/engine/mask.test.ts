import { describe, expect, test } from "vitest";
import { isNoLog, maskExecResult, maskHostResult, maskTaskResult, NO_LOG_TEXT } from "../../../src/engine/mask.js";
import type { HostResult, TaskResult } from "../../../src/engine/results.js";
import { SECRET_MASK, SecretMask } from "../../../src/engine/secret-mask.js";
import { playbookOf } from "./playbook-harness.js";

const SECRET = "pw-Xy7-secret";

function result(overrides: Partial<TaskResult> = {}): TaskResult {
  return {
    play: 0,
    task: 0,
    handler: false,
    name: "write the config",
    module: "copy",
    control: { id: "C-1", title: "C-1", severity: "medium", scope: "host" },
    status: "changed",
    message: `create /etc/app.conf with password=${SECRET}`,
    diff: { before: "", after: `password=${SECRET}\n` },
    plan: { kind: "change", summary: "s", diff: null, commands: [{ script: `echo ${SECRET}`, description: `write ${SECRET}` }], effects: [] },
    output: { rc: 1, stdout: `${SECRET}\n`, stderr: `error: ${SECRET}` },
    delegatedTo: null,
    verdict: { id: "C-1", status: "pass", expected: `password=${SECRET}`, actual: "absent", message: "" },
    ignored: false,
    ...overrides,
  };
}

describe("masking results where they leave the engine", () => {
  const mask = new SecretMask([SECRET]);

  test("secrets are masked in every field, and the original is left alone", () => {
    const original = result();
    const masked = maskTaskResult(original, mask, false);
    expect(JSON.stringify(masked)).not.toContain(SECRET);
    expect(masked.message).toBe(`create /etc/app.conf with password=${SECRET_MASK}`);
    expect(masked.diff).toEqual({ before: "", after: `password=${SECRET_MASK}\n` });
    expect(masked.output).toEqual({ rc: 1, stdout: `${SECRET_MASK}\n`, stderr: `error: ${SECRET_MASK}` });
    expect(masked.verdict?.expected).toBe(`password=${SECRET_MASK}`);
    expect(original.message).toContain(SECRET);
  });

  test("no_log: message, diff, output and the verdict's values become the fixed text; status, verdict and exit code stay", () => {
    const masked = maskTaskResult(result(), new SecretMask(), true);
    expect(masked).toMatchObject({ status: "changed", message: NO_LOG_TEXT, diff: { before: NO_LOG_TEXT, after: NO_LOG_TEXT }, output: { rc: 1, stdout: NO_LOG_TEXT, stderr: "" }, plan: null });
    expect(masked.verdict).toEqual({ id: "C-1", status: "pass", expected: NO_LOG_TEXT, actual: NO_LOG_TEXT, message: "" });
    expect(JSON.stringify(masked)).not.toContain(SECRET);
    // a task without a diff or output does not get one
    expect(maskTaskResult(result({ diff: null, output: null }), new SecretMask(), true)).toMatchObject({ diff: null, output: null });
  });

  test("a host's tasks are masked by their own no_log, and its error too", () => {
    const playbook = playbookOf([{ module: "content", args: {} }, { module: "content", args: {} }], { handlers: [{ module: "content", args: {}, name: "h" }] });
    const [first, second] = playbook.plays[0]?.tasks ?? [];
    if (second === undefined || first === undefined) throw new Error("two tasks");
    second.noLog = true;
    const host: HostResult = { host: "h1", cluster: null, status: "failed", error: `connection lost while ${SECRET}`, interrupted: false, stopped: true, tasks: [result(), result({ task: 1 }), result({ task: 0, handler: true })], durationMs: 1, execs: 1 };
    expect([isNoLog(playbook, host.tasks[0] as TaskResult), isNoLog(playbook, host.tasks[1] as TaskResult), isNoLog(playbook, host.tasks[2] as TaskResult)]).toEqual([false, true, false]);
    const masked = maskHostResult(host, mask, playbook);
    expect(masked.error).toBe(`connection lost while ${SECRET_MASK}`);
    expect(masked.tasks.map((task) => task.message)).toEqual([`create /etc/app.conf with password=${SECRET_MASK}`, NO_LOG_TEXT, `create /etc/app.conf with password=${SECRET_MASK}`]);
    expect(JSON.stringify(masked)).not.toContain(SECRET);
  });

  test("fleet exec results", () => {
    const masked = maskExecResult(
      { host: "h1", status: "failed", result: { command: `echo ${SECRET}`, exitCode: 1, signal: null, stdout: SECRET, stderr: "", truncated: false, timedOut: false, interrupted: false, becomeFailure: null, durationMs: 1 }, message: `exit 1: ${SECRET}`, hint: null, code: null, durationMs: 1 },
      mask,
    );
    expect(JSON.stringify(masked)).not.toContain(SECRET);
    expect(masked.result?.stdout).toBe(SECRET_MASK);
  });
});
