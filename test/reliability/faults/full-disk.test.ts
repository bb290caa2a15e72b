/**
 * Fault: the file system fleet writes to is full. The host's sshd runs in a mount namespace of its
 * own with a 64 KiB tmpfs on a directory that holds a 39 KiB file; copy, template and lineinfile
 * all write through a temporary file in the same directory and a rename, so each needs room for a
 * whole second copy. Each must fail with a message that says why, leave the old file byte for byte,
 * and leave no temporary file and no process behind.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleet, hostOf, type FleetOutcome } from "../support/fleet-cli.js";
import { leftoverSessionProcesses } from "../support/processes.js";
import { FAULTS_ROOT, startThrowawayFleet, type ThrowawayFleet } from "../support/throwaway-sshd.js";

let hosts: ThrowawayFleet;
let playbooks: string;
let full: string;
let seedDir: string;

/** 1,100 lines of 36 bytes: 39,600 bytes (10 pages) of a 16-page tmpfs, so 24 KiB are free. */
const OLD = Array.from({ length: 1100 }, (_, index) => `old line ${String(index + 1).padStart(5, "0")} of the existing file\n`).join("");
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

beforeAll(async () => {
  seedDir = mkdtempSync(path.join(FAULTS_ROOT, `run-${process.pid}-seed-`));
  const seed = path.join(seedDir, "big.conf");
  writeFileSync(seed, OLD);
  hosts = await startThrowawayFleet("full", [{
    name: "d1",
    octet: 41,
    setup: [
      'mkdir -p "$FLEET_HOST_DIR/full"',
      'mount -t tmpfs -o size=64k,mode=0755 fleet-full "$FLEET_HOST_DIR/full"',
      `cp ${JSON.stringify(seed)} "$FLEET_HOST_DIR/full/big.conf"`,
    ].join("\n"),
  }, {
    // a slow disk: in this host's namespace, base64 -d (the atomic write's writer) takes 3 s to start
    name: "d2",
    octet: 42,
    setup: [
      'cp /usr/bin/base64 "$FLEET_HOST_DIR/base64.real"',
      `printf '#!/bin/sh\\ncase "$1" in -d) sleep 3.21 ;; esac\\nexec %s/base64.real "$@"\\n' "$FLEET_HOST_DIR" > "$FLEET_HOST_DIR/base64.slow"`,
      'chmod 0755 "$FLEET_HOST_DIR/base64.slow"',
      'mount --bind "$FLEET_HOST_DIR/base64.slow" /usr/bin/base64',
      'mkdir -p "$FLEET_HOST_DIR/slow" && printf "old\\n" > "$FLEET_HOST_DIR/slow/app.conf"',
    ].join("\n"),
  }]);
  full = path.join(hosts.host("d1").dir, "full");
  playbooks = path.join(hosts.dir, "playbooks");
  mkdirSync(path.join(playbooks, "templates"), { recursive: true });
  // smaller than the old file, but larger than the free space: the temporary copy does not fit
  writeFileSync(path.join(playbooks, "templates", "big.conf.j2"), `# rendered for {{ inventory_hostname }}\n${"x".repeat(30_000)}\n`);
});

afterAll(async () => {
  await hosts?.stop();
  if (seedDir) rmSync(seedDir, { recursive: true, force: true });
});

/** What is in the full directory, seen from inside the host's namespace. */
function hostState(): { sha256: string; entries: string[]; usedKiB: number } {
  const out = hosts.host("d1").ssh(`cd ${full} && sha256sum big.conf && ls -A && df -k --output=used . | tail -1`).trim().split("\n");
  return {
    sha256: (out[0] ?? "").split(" ")[0] ?? "",
    entries: out.slice(1, -1),
    usedKiB: Number(out.at(-1)),
  };
}

function playbook(name: string, task: string[]): string {
  const file = path.join(playbooks, `${name}.yml`);
  writeFileSync(file, ["- name: write to a full disk", "  hosts: all", "  tasks:", ...task.map((line) => `    ${line}`), "    - name: never reached", "      command: touch /tmp/fleet-full-disk-never", ""].join("\n"));
  return file;
}

const CASES: { module: string; task: (dest: string) => string[] }[] = [
  { module: "copy", task: (dest) => ["- name: write big.conf", `  copy: { dest: "${dest}", content: "${"y".repeat(100_000)}\\n" }`] },
  { module: "template", task: (dest) => ["- name: write big.conf", `  template: { src: big.conf.j2, dest: "${dest}" }`] },
  { module: "lineinfile", task: (dest) => ["- name: write big.conf", `  lineinfile: { path: "${dest}", line: "one more line" }`] },
];

describe("a full disk under copy, template and lineinfile", () => {
  it("starts from the file as seeded, with 24 KiB free", () => {
    const state = hostState();
    expect(state.sha256).toBe(sha256(OLD));
    expect(state.entries).toEqual(["big.conf"]);
    expect(state.usedKiB).toBe(40);
  });

  it.each(CASES)("$module: fails saying there is no space, keeps the old file byte for byte, leaves no temporary file", async ({ module, task }) => {
    const outcome = await fleet(["run", playbook(module, task(path.join(full, "big.conf"))), "-i", hosts.inventory({ hosts: ["d1"] })]);
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(2);
    expect(outcome.stdout).toMatch(/^d1: failed: write big\.conf — .*No space left on device/m);
    expect(outcome.stdout).toMatch(/1 host: 0 changed, 1 failed, 0 unreachable/);
    const host = hostOf(outcome.report, "d1");
    expect(host.status).toBe("failed");
    expect(host.tasks).toHaveLength(1); // the task after it never ran
    expect(host.tasks[0]).toMatchObject({ module, status: "failed", message: expect.stringMatching(/No space left on device/) });
    const state = hostState();
    expect(state.sha256).toBe(sha256(OLD));
    expect(state.entries).toEqual(["big.conf"]);
    expect(state.usedKiB).toBe(40);
    expect(await leftoverSessionProcesses(hosts.host("d1").address, 5_000)).toEqual([]);
  });
});

describe("a write cut short by the task's timeout (a slow disk)", () => {
  let slow: FleetOutcome | undefined;

  // Fixed in src/modules/support/atomic-write.ts: the task's `timeout -k 5 N sh -c …` sends TERM to
  // the writer's process group, the shell died without its cleanup and .fleet-tmp.XXXXXXXX stayed
  // beside the file; the write now removes it on HUP, INT, PIPE and TERM.
  it("fails the task and leaves the old file and no temporary file", async () => {
    const host = hosts.host("d2");
    const dir = path.join(host.dir, "slow");
    const file = path.join(playbooks, "slow.yml");
    writeFileSync(file, [
      "- name: write to a slow disk",
      "  hosts: all",
      "  tasks:",
      "    - name: write app.conf",
      `      copy: { dest: "${dir}/app.conf", content: "new\\n" }`,
      "      timeout: 1",
      "",
    ].join("\n"));
    const outcome = await fleet(["run", file, "-i", hosts.inventory({ hosts: ["d2"] })]);
    slow = outcome;
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(2);
    expect(hostOf(outcome.report, "d2").tasks[0]).toMatchObject({ status: "failed" });
    expect(host.ssh(`cat ${dir}/app.conf; ls -A ${dir}`)).toBe("old\napp.conf\n");
    expect(await leftoverSessionProcesses(host.address, 8_000)).toEqual([]);
  });

  // The operator reads "d2: failed: write app.conf — …: replace content (1 line → 1 line): failed:
  // Terminated": nothing says the task's timeout expired. The section exits 124 (`timeout`'s status)
  // and src/engine/host-run.ts (applyAndVerify) quotes the last stderr line instead; expected: "timed
  // out after 1 s", as fleet exec --timeout says.
  it("says that the task timed out", () => {
    expect(slow?.stdout).toMatch(/^d2: failed: write app\.conf — .*timed out after 1 s/m);
  });
});
