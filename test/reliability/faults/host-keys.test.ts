/**
 * Host keys, end to end through the CLI, against throwaway sshd hosts with keys of their own.
 * test/integration/transport/host-keys.test.ts covers the transport API (unknown, changed under
 * every policy, @revoked under strict, accept-new in one process, off); test/unit/transport covers
 * parsing, matching and in-process concurrent recording. What is added here: what the operator of
 * `fleet run` / `fleet exec` sees and the exit code, that known_hosts is left untouched by every
 * refusal, @revoked under accept-new and off, a host that presents a CA-signed certificate, and
 * accept-new recording raced by separate fleet processes sharing one known_hosts file.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleet, hostOf, privateBuild, spawnFleet } from "../support/fleet-cli.js";
import { leftoverSessionProcesses, signalAll, waitFor } from "../support/processes.js";
import { startThrowawayFleet, type ThrowawayFleet, type ThrowawayHost } from "../support/throwaway-sshd.js";

const RACERS = 8;
let hosts: ThrowawayFleet;
let playbook: string;

beforeAll(async () => {
  hosts = await startThrowawayFleet("keys", [
    ...Array.from({ length: RACERS }, (_, index) => ({ name: `hk${index + 1}`, octet: 61 + index })),
    { name: "ca1", octet: 71, certificate: true },
  ]);
  playbook = path.join(hosts.dir, "true.yml");
  writeFileSync(playbook, "- name: reach it\n  hosts: all\n  tasks:\n    - name: run true\n      command: \"true\"\n      changed_when: false\n");
});

afterAll(async () => {
  await hosts?.stop();
});

let files = 0;
function knownHostsWith(lines: readonly string[], { newline = true } = {}): string {
  const file = path.join(hosts.dir, `known_hosts-${++files}`);
  writeFileSync(file, lines.length === 0 ? "" : `${lines.join("\n")}${newline ? "\n" : ""}`);
  return file;
}

function otherKey(): string {
  const dir = mkdtempSync(path.join(hosts.dir, "other-"));
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "key")]);
  return readFileSync(path.join(dir, "key.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
}

function fingerprint(host: ThrowawayHost): string {
  return execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", path.join(host.dir, "ssh_host_ed25519_key.pub")], { encoding: "utf8" }).split(" ")[1] ?? "";
}

async function runOn(host: ThrowawayHost, knownHosts: string, policy?: "strict" | "accept-new" | "off") {
  return fleet(["run", playbook, "-i", hosts.inventory({ hosts: [host.name], knownHosts }), ...(policy ? ["--host-key-checking", policy] : [])]);
}

describe("host keys through fleet run and fleet exec", () => {
  it("unknown key under strict: unreachable (exit 3) with its fingerprint; known_hosts untouched", async () => {
    const host = hosts.host("hk1");
    const empty = knownHostsWith([]);
    const outcome = await runOn(host, empty);
    expect(outcome.code).toBe(3);
    const message = `the host key of 127.0.6.61:22 is not in known_hosts (ssh-ed25519 ${fingerprint(host)}); strict host key checking refuses unknown hosts`;
    expect(outcome.stdout).toContain(`hk1: UNREACHABLE — ${message}`);
    expect(hostOf(outcome.report, "hk1")).toMatchObject({ status: "unreachable", error: expect.stringContaining(message) });
    expect(readFileSync(empty, "utf8")).toBe("");

    // fleet exec says how to accept it
    const exec = await fleet(["exec", "-i", hosts.inventory({ hosts: ["hk1"], knownHosts: empty }), "--", "true"], { report: false });
    expect(exec.code).toBe(3);
    expect(exec.stdout).toContain(`hint: check the fingerprint out of band, then add it: ssh-keyscan -p 22 127.0.6.61 >> ${empty} (or run once with --host-key-checking accept-new)`);
    expect(readFileSync(empty, "utf8")).toBe("");
  });

  // fleet run drops the hint of an unreachable host: the recap line and the report's error carry only
  // the message (src/engine/run-playbook.ts passes error.message, src/cli/run-output.ts prints it), so
  // the operator of `fleet run` is told the key is unknown but not how to accept it (docs/transport.md:
  // "the message gives the fingerprint and the ssh-keyscan line to add it"). Same for the
  // `ssh-keygen -R` line of a changed key.
  it("unknown key under strict: fleet run also says how to accept it (the ssh-keyscan line)", async () => {
    const outcome = await runOn(hosts.host("hk1"), knownHostsWith([]));
    expect(outcome.code).toBe(3);
    expect(outcome.stdout).toMatch(/ssh-keyscan -p 22 127\.0\.6\.61 >> /);
  });

  it.each(["strict", "accept-new", "off"] as const)("changed key under %s: refused as a possible man-in-the-middle; known_hosts byte for byte", async (policy) => {
    const host = hosts.host("hk2");
    const lying = knownHostsWith([`# hk2 as it was`, `${host.address} ${otherKey()}`]);
    const before = readFileSync(lying, "utf8");
    const outcome = await runOn(host, lying, policy);
    expect(outcome.code).toBe(3);
    expect(outcome.stdout).toMatch(new RegExp(`^hk2: UNREACHABLE — REMOTE HOST KEY CHANGED for 127\\.0\\.6\\.62:22: possible man-in-the-middle attack! It presented ssh-ed25519 ${fingerprint(host).replace(/[+/]/g, "\\$&")}, which does not match known_hosts \\(${lying}:2\\)`, "m"));
    if (policy === "off") expect(outcome.stderr).toMatch(/warning: host key checking is OFF/);
    expect(readFileSync(lying, "utf8")).toBe(before);
    expect(hostOf(outcome.report, "hk2").tasks).toEqual([]);
    expect(await leftoverSessionProcesses(host.address, 2_000)).toEqual([]);
  });

  it.each(["strict", "accept-new", "off"] as const)("@revoked key under %s: refused, known_hosts untouched (accept-new does not record a revoked key)", async (policy) => {
    const host = hosts.host("hk3");
    // the revoked key is the only thing known_hosts says about it: unknown as a host, revoked as a key
    const revoked = knownHostsWith([`@revoked * ${host.publicKey}`]);
    const before = readFileSync(revoked, "utf8");
    const outcome = await runOn(host, revoked, policy);
    expect(outcome.code).toBe(3);
    expect(outcome.stdout).toMatch(new RegExp(`^hk3: UNREACHABLE — the host key ${fingerprint(host).replace(/[+/]/g, "\\$&")} of 127\\.0\\.6\\.63:22 is marked @revoked in ${revoked}:1; refusing to connect$`, "m"));
    expect(readFileSync(revoked, "utf8")).toBe(before);
  });

  it("a @cert-authority line does not make a host known, even one naming the host's own key", async () => {
    const host = hosts.host("ca1");
    // the CA that signed ca1's certificate, and (wrongly placed) ca1's own key on a CA line
    const file = knownHostsWith([`@cert-authority 127.0.6.* ${hosts.caPublicKey}`, `@cert-authority ${host.address} ${host.publicKey}`]);
    const outcome = await runOn(host, file);
    expect(outcome.code).toBe(3);
    expect(hostOf(outcome.report, "ca1").error).toMatch(/is not in known_hosts/);
    expect(readFileSync(file, "utf8")).toContain("@cert-authority");
    expect(readFileSync(file, "utf8").split("\n").filter((line) => line !== "")).toHaveLength(2);
  });

  // Host certificates are not supported: a host known only through a CA that known_hosts trusts for
  // it is refused, and the message says why instead of the plain "not in known_hosts".
  it("a host known only through @cert-authority is refused with a message saying host certificates are not supported", async () => {
    const host = hosts.host("ca1");
    const outcome = await runOn(host, knownHostsWith([`@cert-authority 127.0.6.* ${hosts.caPublicKey}`]));
    expect(outcome.code).toBe(3);
    expect(hostOf(outcome.report, "ca1").error).toMatch(/cert-authority|certificate/i);
  });
});

describe("accept-new raced by separate fleet processes on one known_hosts", () => {
  let main: string;

  beforeAll(() => {
    main = privateBuild();
  });

  /** Listening sockets of 127.0.6.x with connections waiting in their accept queue (ss Recv-Q). */
  function queued(): Map<string, number> {
    const out = execFileSync("ss", ["-Hltn", "src", "127.0.6.0/24"], { encoding: "utf8" });
    const waiting = new Map<string, number>();
    for (const line of out.split("\n")) {
      const cells = line.trim().split(/\s+/);
      if (cells.length < 4) continue;
      waiting.set((cells[3] ?? "").replace(/:22$/, ""), Number(cells[1]));
    }
    return waiting;
  }

  it(`${RACERS} processes each accepting a different host at the same moment: every line once, none lost (4 rounds)`, async () => {
    const racers = hosts.hosts.filter((host) => host.name.startsWith("hk"));
    const home = mkdtempSync(path.join(hosts.dir, "home-"));
    for (let round = 1; round <= 4; round++) {
      // an existing line for another host, without its final newline
      const seeded = `192.0.2.1 ${otherKey()}`;
      const shared = knownHostsWith(["# shared known_hosts", seeded], { newline: false });
      // hold every listener so that all handshakes, and so all the recordings, happen at once
      const listeners = racers.map((host) => host.listenerPid()).filter((pid): pid is number => pid !== undefined);
      signalAll(listeners, "SIGSTOP");
      let runs: ReturnType<typeof spawnFleet>[] = [];
      try {
        runs = racers.map((host) => spawnFleet(main, ["exec", "-i", hosts.inventory({ hosts: [host.name], knownHosts: shared }), "--host-key-checking", "accept-new", "--connect-timeout", "60", "--", "true"], home));
        await waitFor("every fleet process to be waiting on its host", () => {
          const waiting = queued();
          return racers.every((host) => (waiting.get(host.address) ?? 0) >= 1) ? true : undefined;
        }, 30_000);
      } finally {
        signalAll(listeners, "SIGCONT");
      }
      const outcomes = await Promise.all(runs.map((run) => run.done));
      outcomes.forEach((outcome, index) => expect(outcome.code, `round ${round}, ${racers[index]?.name}: ${outcome.stdout}${outcome.stderr}`).toBe(0));
      for (const [index, outcome] of outcomes.entries()) expect(outcome.stderr).toContain(`${racers[index]?.name}: recorded its new host key ssh-ed25519`);

      const lines = readFileSync(shared, "utf8").split("\n").filter((line) => line !== "");
      expect(lines.slice(0, 2), `round ${round}`).toEqual(["# shared known_hosts", seeded]);
      const recorded = lines.slice(2);
      expect(recorded.sort(), `round ${round}`).toEqual(racers.map((host) => `${host.address} ${host.publicKey}`).sort());
      // and strict checking now knows every one of them
      const check = await fleet(["exec", "-i", hosts.inventory({ hosts: racers.map((host) => host.name), knownHosts: shared }), "--", "true"], { report: false });
      expect(check.code, check.stdout).toBe(0);
    }
    for (const host of racers) expect(await leftoverSessionProcesses(host.address, 2_000), host.name).toEqual([]);
  });
});
