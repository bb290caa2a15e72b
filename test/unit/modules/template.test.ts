import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { atomicWriteScript } from "../../../src/modules/support/atomic-write.js";
import { templateModule } from "../../../src/modules/template.js";
import { planModule } from "../../support/plan-module.js";
import { apply, argIssues, expectChange, expectEffectsHold, expectIdempotent, modeOwnerGroup, planHere, scratchDirectory, writeFacts, type Facts } from "./helpers.js";

const TEMPLATES: Record<string, string> = {
  "sshd_config.hbs": "PermitRootLogin no\nPasswordAuthentication no\n",
  "lxd/daemon.conf": "verbose=true\n",
};

const renderTemplate = (path: string): string => {
  const text = TEMPLATES[path];
  if (text === undefined) throw new Error(`no template ${path}`);
  return text;
};

describe("template: plans as copy does, with the rendered text", () => {
  it.each<{ name: string; args: Record<string, unknown>; facts: Facts; commands: string[]; summary: string }>([
    {
      name: "create",
      args: { src: "sshd_config.hbs", dest: "/etc/ssh/sshd_config.d/fleet.conf", mode: "0600" },
      facts: writeFacts("/etc/ssh/sshd_config.d/fleet.conf", null),
      commands: [atomicWriteScript({ path: "/etc/ssh/sshd_config.d/fleet.conf", content: TEMPLATES["sshd_config.hbs"] ?? "", mode: "0600" })],
      summary: "create /etc/ssh/sshd_config.d/fleet.conf (2 lines), mode 0600",
    },
    {
      name: "replace, with a backup",
      args: { src: "lxd/daemon.conf", dest: "/etc/lxd.conf", backup: true },
      facts: writeFacts("/etc/lxd.conf", { text: "verbose=false\n" }),
      commands: ["ln -f /etc/lxd.conf /etc/lxd.conf.fleet-backup", atomicWriteScript({ path: "/etc/lxd.conf", content: "verbose=true\n" })],
      summary: "/etc/lxd.conf: replace content (1 line → 1 line)",
    },
    {
      name: "attributes only",
      args: { src: "lxd/daemon.conf", dest: "/etc/lxd.conf", owner: "daemon" },
      facts: writeFacts("/etc/lxd.conf", { text: "verbose=true\n" }),
      commands: ["chown daemon /etc/lxd.conf"],
      summary: "/etc/lxd.conf: owner root → daemon",
    },
  ])("$name", ({ args, facts, commands, summary }) => {
    const { first } = expectIdempotent(templateModule, args, facts, { renderTemplate });
    expect(first.commands.map((command) => command.script)).toEqual(commands);
    expect(first.summary).toBe(summary);
  });

  it("is ok when dest holds the rendered text", () => {
    const { plan } = planModule(templateModule, { src: "lxd/daemon.conf", dest: "/etc/lxd.conf" }, writeFacts("/etc/lxd.conf", { text: "verbose=true\n" }), { renderTemplate });
    expect(plan).toEqual({ kind: "ok", reason: "/etc/lxd.conf already has the wanted content (1 line)", actual: expect.stringMatching(/^sha256:[0-9a-f]{12}, 13 bytes$/) });
  });

  it("renders the template named by src, once per plan", () => {
    const asked: string[] = [];
    planModule(templateModule, { src: "lxd/daemon.conf", dest: "/etc/lxd.conf" }, writeFacts("/etc/lxd.conf", null), { renderTemplate: (path) => (asked.push(path), renderTemplate(path)) });
    expect(asked).toEqual(["lxd/daemon.conf"]);
  });

  it("leaves a template that cannot be rendered to the engine (it fails the task with the message)", () => {
    expect(() => planModule(templateModule, { src: "missing.hbs", dest: "/etc/x" }, writeFacts("/etc/x", null), { renderTemplate })).toThrow("no template missing.hbs");
  });
});

describe("template: arguments", () => {
  it.each<{ name: string; args: unknown; issues: string[] }>([
    { name: "absolute src", args: { src: "/etc/passwd", dest: "/etc/x" }, issues: ['src: must be a path relative to the playbook\'s templates/ directory (got "/etc/passwd")'] },
    { name: "src leaving templates/", args: { src: "../secrets.yml", dest: "/etc/x" }, issues: ['src: must stay inside templates/: no "." or ".." parts (got "../secrets.yml")'] },
    { name: "missing src", args: { dest: "/etc/x" }, issues: ["src: Invalid input: expected string, received undefined"] },
    { name: "content is copy's", args: { src: "a", dest: "/etc/x", content: "x" }, issues: [': unknown argument "content" of template (it takes backup, dest, group, mode, owner, src)'] },
    { name: "mode of the wrong type", args: { src: "a", dest: "/etc/x", mode: ["0644"] }, issues: ['mode: must be an octal mode like "0644" (got a list)'] },
  ])("$name", ({ args, issues }) => {
    expect(argIssues(templateModule, args)).toEqual(issues);
  });
});

describe("template: on this machine", () => {
  let scratch: ReturnType<typeof scratchDirectory>;
  beforeEach(() => {
    scratch = scratchDirectory();
  });
  afterEach(() => scratch.cleanup());

  it("writes the rendered text, as predicted, and is then ok", () => {
    const dest = join(scratch.dir, "sshd.conf");
    const args = { src: "sshd_config.hbs", dest, mode: "0600" };
    const plan = expectChange(planHere(templateModule, args, { renderTemplate }));
    expect(apply(plan)).toMatchObject({ status: 0 });
    expect(readFileSync(dest, "utf8")).toBe(TEMPLATES["sshd_config.hbs"]);
    expect(modeOwnerGroup(dest)).toBe("600 root root");
    expectEffectsHold(plan);
    expect(planHere(templateModule, args, { renderTemplate })).toMatchObject({ kind: "ok" });
  });
});
