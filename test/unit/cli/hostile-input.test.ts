/**
 * Command lines found by the fuzz suite (test/reliability/fuzz) to end in a stack trace, or to
 * print what an input file holds raw to the terminal, each reduced to its input.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { captureIo } from "../../support/capture-io.js";

const dir = mkdtempSync(path.join(tmpdir(), "fleet-hostile-cli-"));
const STACK_TRACE = /^\s+at .+(:\d+:\d+|\(native\))/m;

async function fleet(argv: string[]): Promise<{ code: number; stderr: string }> {
  const { io, stderr } = captureIo();
  const code = await runCli(argv, io);
  return { code, stderr: stderr() };
}

test("--ssh-config naming a directory is a bad option (it was EISDIR with a stack trace, exit 1)", async () => {
  // the option is checked before any connection: nothing listens on 127.0.0.1:9, nothing is reached
  const inventory = path.join(dir, "hosts.yml");
  writeFileSync(inventory, "all:\n  hosts:\n    h1:\n      ansible_host: 127.0.0.1\n      ansible_port: 9\n");
  const { code, stderr } = await fleet(["exec", "-i", inventory, "--ssh-config", dir, "--", "true"]);
  expect(code).toBe(5);
  expect(stderr).toBe(`fleet: --ssh-config ${dir} is a directory, not an ssh client config file [EXEC_BAD_OPTION]\n  hint: give the path of a file such as ~/.ssh/config\n`);
});

test("a report written over a directory is a usage error that names it, without a stack trace or a temporary file", async () => {
  const target = path.join(dir, "out.json");
  mkdirSync(target);
  const { code, stderr } = await fleet(["report", "render", path.join(import.meta.dirname, "../../fixtures/report/synthetic-report.json"), "-o", target]);
  expect(code).toBe(5);
  expect(stderr).toMatch(new RegExp(`^fleet: ${target} is a directory, not a report file \\[REPORT_TARGET_DIRECTORY\\]`));
  expect(stderr).not.toMatch(STACK_TRACE);
  expect(readdirSync(dir).filter((name) => name.startsWith("out.json.tmp-"))).toHaveLength(0);
});

describe("what input files say is printed safely", () => {
  test("line breaks and escape sequences in a key are shown as \\xNN: one line per problem, nothing sent to the terminal raw", async () => {
    const playbook = path.join(dir, "keys.yml");
    writeFileSync(playbook, '- hosts: all\n  tasks:\n    - command: "true"\n      "bad\\nkey\\u001b]0;owned\\u0007": 1\n');
    const inventory = path.join(dir, "local.yml");
    writeFileSync(inventory, "all:\n  hosts:\n    h1:\n      ansible_host: 127.0.0.1\n      ansible_port: 9\n");
    const { code, stderr } = await fleet(["run", playbook, "--check", "-i", inventory]);
    expect(code).toBe(4);
    const [head, hint, ...rest] = stderr.split("\n");
    expect(head).toBe(`fleet: ${playbook}:4:7: unknown module or task key \`bad\\x0akey\\x1b]0;owned\\x07\` [PLAYBOOK_UNKNOWN_MODULE]`);
    expect(hint).toMatch(/^ {2}hint: /);
    expect(rest).toEqual([""]);
    expect(stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});
