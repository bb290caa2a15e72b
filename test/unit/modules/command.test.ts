import { describe, expect, it } from "vitest";
import type { FactValue } from "../../../src/facts/types.js";
import { commandModule } from "../../../src/modules/command.js";
import { planModule } from "../../support/plan-module.js";
import { sh } from "./local-host.js";

const exists: FactValue = { exists: true, type: "file", mode: "0644", owner: "root", group: "root", size: 1 };
const absent: FactValue = { exists: false };

function script(rawArgs: unknown, facts: Record<string, FactValue> = {}): string {
  const { plan } = planModule(commandModule, rawArgs, facts);
  if (plan.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
  expect(plan.commands).toHaveLength(1);
  expect(plan.effects).toEqual([]);
  return plan.commands[0]?.script ?? "";
}

describe("command: cmd becomes quoted argv words", () => {
  it.each([
    ["echo hello", "command -- echo hello"],
    ["/usr/bin/lxc config get core.https_address", "command -- /usr/bin/lxc config get core.https_address"],
    [`echo "a b" 'c  d' e\\ f`, "command -- echo 'a b' 'c  d' 'e f'"],
    ["echo $HOME `id` $(id) ; rm -rf / | cat > x && y", "command -- echo '$HOME' '`id`' '$(id)' ';' rm -rf / '|' cat '>' x '&&' y"],
    ["echo a#b # not a comment", "command -- echo 'a#b' '#' not a comment"],
    ["A=1 env", "command -- A=1 env"],
    ["if true", "command -- if true"],
    [`printf '%s\\n' "it's"`, `command -- printf '%s\\n' 'it'\\''s'`],
    ["  ls   -l  ", "command -- ls -l"],
  ])("%s", (cmd, expected) => {
    expect(script({ cmd })).toBe(expected);
  });

  it("runs in chdir", () => {
    expect(script({ cmd: "make install", chdir: "/srv/my app" })).toBe("cd -- '/srv/my app'\ncommand -- make install");
  });

  it("the words reach the program as written, when run for real", () => {
    const result = sh(script({ cmd: `printf '[%s]\\n' $HOME "a  b" '*' 'x;y' a#b` }));
    expect(result).toEqual({ stdout: "[$HOME]\n[a  b]\n[*]\n[x;y]\n[a#b]\n", stderr: "", exitCode: 0 });
  });

  it("an assignment or keyword as first word is a program name, as in an exec (127: not found)", () => {
    expect(sh(script({ cmd: "A=1 true" })).exitCode).toBe(127);
    expect(sh(script({ cmd: "if true" })).exitCode).toBe(127);
  });

  it("a failing program fails the script with its status", () => {
    expect(sh(script({ cmd: "sh -c 'exit 3'" })).exitCode).toBe(3);
  });
});

describe("command: creates / removes", () => {
  it.each([
    [{ cmd: "make", creates: "/opt/app/bin" }, { "file:/opt/app/bin": exists }, "/opt/app/bin exists"],
    [{ cmd: "rm /tmp/x", removes: "/tmp/x" }, { "file:/tmp/x": absent }, "/tmp/x does not exist"],
    [{ cmd: "make", creates: "out/bin", chdir: "/srv/build" }, { "file:/srv/build/out/bin": exists }, "/srv/build/out/bin exists"],
    [{ cmd: "x", creates: "/a", removes: "/b" }, { "file:/a": exists, "file:/b": absent }, "/a exists"],
  ])("%j is ok", (args, facts, reason) => {
    const { plan } = planModule(commandModule, args, facts);
    expect(plan).toEqual({ kind: "ok", reason });
  });

  it.each([
    [{ cmd: "make", creates: "/opt/app/bin" }, { "file:/opt/app/bin": absent }],
    [{ cmd: "rm /tmp/x", removes: "/tmp/x" }, { "file:/tmp/x": exists }],
    [{ cmd: "x", creates: "/a", removes: "/b" }, { "file:/a": absent, "file:/b": exists }],
  ])("%j runs", (args, facts) => {
    expect(planModule(commandModule, args, facts).plan.kind).toBe("change");
  });

  it("declares exactly the guard facts, resolved against chdir", () => {
    expect(planModule(commandModule, { cmd: "x" }, {}).requested).toEqual([]);
    expect(planModule(commandModule, { cmd: "x", creates: "a", removes: "/b", chdir: "/d" }, { "file:/d/a": absent, "file:/b": exists }).requested).toEqual([
      "file:/d/a",
      "file:/b",
    ]);
  });
});

describe("command: the change", () => {
  it("is one command with a one-line summary, and is not verifiable", () => {
    const { plan } = planModule(commandModule, { cmd: "lxc list\n--format csv", chdir: "/root" }, {});
    expect(plan).toEqual({
      kind: "change",
      summary: "run in /root: lxc list …",
      diff: null,
      commands: [{ script: "cd -- /root\ncommand -- lxc list --format csv", description: "run in /root: lxc list …" }],
      effects: [],
    });
    expect(commandModule.verifiable).toBe(false);
    expect(commandModule.freeForm).toBe("cmd");
  });
});

describe("command: argument errors name their path", () => {
  it.each([
    [{}, "cmd"],
    [{ cmd: "" }, "cmd"],
    [{ cmd: "   " }, "cmd"],
    [{ cmd: 3 }, "cmd"],
    [{ cmd: "echo 'unclosed" }, "cmd"],
    [{ cmd: "echo \0" }, "cmd"],
    [{ cmd: "ls", creates: "" }, "creates"],
    [{ cmd: "ls", removes: 1 }, "removes"],
    [{ cmd: "ls", chdir: "" }, "chdir"],
    [{ cmd: "ls", argv: ["ls"] }, ""],
  ])("%j → %s", (args, path) => {
    const result = commandModule.args.safeParse(args);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(path);
  });

  it("says why a cmd cannot be split", () => {
    expect(commandModule.args.safeParse({ cmd: "echo 'unclosed" }).error?.issues[0]?.message).toBe("cannot split into words: No closing quotation");
  });
});

describe("command: the read-only script (changed_when: false)", () => {
  const readOnly = (args: unknown): string => {
    const script = commandModule.readOnlyScript?.(commandModule.args.parse(args));
    if (script === undefined) throw new Error("command has no readOnlyScript");
    return script;
  };

  it("is the same command line, with chdir and the guards first", () => {
    expect(readOnly({ cmd: "lxc config get core.https_address" })).toBe("command -- lxc config get core.https_address");
    expect(readOnly({ cmd: "ls out", chdir: "/srv", creates: "out" })).toBe(
      "if [ -e /srv/out ]; then printf '%s\\n' 'skipped, since /srv/out exists'; exit 0; fi\ncd -- /srv || exit\ncommand -- ls out",
    );
  });

  it("runs for real: output, guards as Ansible words them, a failed cd stops it", () => {
    expect(sh(readOnly({ cmd: "pwd", chdir: "/tmp" }))).toEqual({ stdout: "/tmp\n", stderr: "", exitCode: 0 });
    expect(sh(readOnly({ cmd: "false", creates: "/tmp" }))).toEqual({ stdout: "skipped, since /tmp exists\n", stderr: "", exitCode: 0 });
    expect(sh(readOnly({ cmd: "false", removes: "/fleet-no-such-file" }))).toEqual({ stdout: "skipped, since /fleet-no-such-file does not exist\n", stderr: "", exitCode: 0 });
    const failed = sh(readOnly({ cmd: "echo should not run", chdir: "/fleet-no-such-dir" }));
    expect(failed.exitCode).not.toBe(0);
    expect(failed.stdout).toBe("");
  });
});
