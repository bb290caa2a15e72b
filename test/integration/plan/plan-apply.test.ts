/**
 * Reviewed remediation plans on the testbed: `fleet audit --plan-out`, `fleet plan show`, and
 * `fleet apply`, which changes exactly the planned hosts, leaves a host that drifted since the plan
 * alone (and names it), and refuses a plan that was edited, is too old, or was made for another
 * playbook version or other -e values. The files live in /tmp, which the testbed hosts share with
 * this machine, so what each host got is read here directly.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import type { PlanDocument } from "../../../src/plan/types.js";
import { captureIo } from "../../support/capture-io.js";
import { testbed } from "../testbed.js";

const info = testbed();
const work = mkdtempSync(path.join(tmpdir(), "fleet-plan-it-"));
const tag = path.basename(work);
const TOKEN = "S3cr3t-plan-t0ken";
const PLANNED = ["tb1", "tb2", "tb3"];
const playbook = path.join(work, "harden.yml");
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  for (const host of info.hosts) for (const file of ["motd", "token"]) rmSync(fileOf(host.name, file), { force: true });
});

function fileOf(host: string, name: string): string {
  return `/tmp/${tag}-${host}-${name}`;
}

const read = (host: string, name: string): string | null => (existsSync(fileOf(host, name)) ? readFileSync(fileOf(host, name), "utf8") : null);

function writePlaybook(motd: string): void {
  writeFileSync(
    playbook,
    [
      "- name: harden",
      "  hosts: all",
      "  secret_vars: [token]",
      "  tasks:",
      "    - name: motd",
      `      copy: { dest: "/tmp/${tag}-{{ inventory_hostname }}-motd", content: "${motd}\\n", mode: "0644" }`,
      "    - name: token",
      `      copy: { dest: "/tmp/${tag}-{{ inventory_hostname }}-token", content: "{{ token }}\\n", mode: "0600" }`,
      "",
    ].join("\n"),
  );
}

async function fleet(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, stdout, stderr } = captureIo(env);
  // fleet plan show reaches no host: it takes no connection options
  const code = await runCli(args[0] === "plan" ? args : [...args, "--ssh-config", path.join(work, "none")], io);
  if (stderr().includes("internal error")) throw new Error(stderr());
  return { code, stdout: stdout(), stderr: stderr() };
}

/** Every host's motd back to "old", no token file. */
function resetHosts(): void {
  for (const host of info.hosts) {
    writeFileSync(fileOf(host.name, "motd"), "old\n");
    rmSync(fileOf(host.name, "token"), { force: true });
  }
}

async function makePlan(file: string, env: NodeJS.ProcessEnv = {}): Promise<PlanDocument> {
  const made = await fleet(["audit", playbook, "-i", info.inventoryFile, "-l", PLANNED.join(","), "-e", `token=${TOKEN}`, "--plan-out", file], env);
  expect(made.code, made.stderr).toBe(2);
  expect(made.stderr).toContain(`plan: 6 changes on 3 hosts written to ${file}`);
  return JSON.parse(readFileSync(file, "utf8")) as PlanDocument;
}

const apply = (file: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = {}) => fleet(["apply", file, "-i", info.inventoryFile, "-e", `token=${TOKEN}`, ...extra], env);

describe("fleet audit --plan-out, fleet plan show, fleet apply", () => {
  beforeEach(() => {
    writePlaybook("hardened");
    resetHosts();
  });

  it("applies exactly the planned changes; a host drifted since the plan is left alone and named (exit 2)", async () => {
    const file = path.join(work, "plan.json");
    const plan = await makePlan(file);
    expect(plan.hosts.map((host) => host.name)).toEqual(PLANNED);
    // the plan holds no secret, and nothing was changed by making it
    expect(readFileSync(file, "utf8")).not.toContain(TOKEN);
    expect(info.hosts.map((host) => read(host.name, "motd"))).toEqual(info.hosts.map(() => "old\n"));

    const shown = await fleet(["plan", "show", file, "--format", "md"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("## tb2");
    expect(shown.stdout).toContain("+ hardened");
    expect(shown.stdout).not.toContain(TOKEN);

    // someone edits tb2 by hand after the review
    writeFileSync(fileOf("tb2", "motd"), "edited by hand\n");
    const applied = await apply(file);
    expect(applied.code, applied.stderr).toBe(2);
    expect(applied.stdout).toMatch(/^tb2: DRIFTED since plan, nothing changed — "motd": the state it was planned from has changed$/m);
    expect(applied.stdout).toContain("applied 4 changes · 1 host drifted since plan · 0 failed · 0 unreachable");
    expect(applied.stdout).not.toContain(TOKEN);
    for (const host of ["tb1", "tb3"]) {
      expect(read(host, "motd"), host).toBe("hardened\n");
      // the secret was masked in the plan and is written for real
      expect(read(host, "token"), host).toBe(`${TOKEN}\n`);
    }
    expect(read("tb2", "motd")).toBe("edited by hand\n");
    expect(read("tb2", "token")).toBeNull();
    // hosts not in the plan are not touched, though they would have changes too
    for (const host of ["tbc1", "tbc2"]) expect([read(host, "motd"), read(host, "token")], host).toEqual(["old\n", null]);
  });

  it("refuses a plan whose commands were edited after review (exit 4), and changes nothing", async () => {
    const file = path.join(work, "tampered.json");
    await makePlan(file);
    writeFileSync(file, readFileSync(file, "utf8").replaceAll("hardened", "pwned!!!"));
    const applied = await apply(file);
    expect(applied.code).toBe(4);
    expect(applied.stderr).toContain("does not match its checksum: it was changed after fleet wrote it");
    expect(applied.stderr).toContain("[PLAN_CHECKSUM]");
    expect(info.hosts.map((host) => read(host.name, "motd"))).toEqual(info.hosts.map(() => "old\n"));
  });

  it("refuses a plan made for another version of the playbook, with other -e values, or older than --max-age (exit 5)", async () => {
    const file = path.join(work, "refused.json");
    await makePlan(file);
    const old = await apply(file, ["--max-age", "0.001"]);
    expect(old.code).toBe(5);
    expect(old.stderr).toContain("[PLAN_TOO_OLD]");
    const otherVars = await fleet(["apply", file, "-i", info.inventoryFile, "-e", "token=another"]);
    expect(otherVars.code).toBe(5);
    expect(otherVars.stderr).toContain("[PLAN_VARS_CHANGED]");
    writePlaybook("hardened, version 2");
    const edited = await apply(file);
    expect(edited.code).toBe(5);
    expect(edited.stderr).toContain("changed since the plan was made [PLAN_PLAYBOOK_CHANGED]");
    expect(info.hosts.map((host) => read(host.name, "motd"))).toEqual(info.hosts.map(() => "old\n"));
  });

  it("with FLEET_PLAN_KEY, only the key the plan was made with applies it", async () => {
    const file = path.join(work, "keyed.json");
    const plan = await makePlan(file, { FLEET_PLAN_KEY: "plan-key-one" });
    expect(plan.checksum).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect((await apply(file)).code).toBe(4);
    expect((await apply(file, [], { FLEET_PLAN_KEY: "plan-key-two" })).code).toBe(4);
    const applied = await apply(file, [], { FLEET_PLAN_KEY: "plan-key-one" });
    expect(applied.code, applied.stdout).toBe(0);
    expect(PLANNED.map((host) => read(host, "motd"))).toEqual(PLANNED.map(() => "hardened\n"));
  });
});
