/**
 * The LXD baseline audit on a loopback fleet of plain sshd hosts (no LXD: its controls are not
 * applicable there), side by side with the raw ssh2 floor (one connection + one exec of `true`
 * per host): wall time, round trips (execs) per host, peak RSS.
 *
 *   npx tsx bench/baseline/run.ts [--hosts 50] [--runs 3] [--skip-tags LXD-GEN-01]
 *
 * Needs root: it starts sshd processes, uses the `fleetbench` account of bench/exec and lets it
 * sudo without a password for the run (the baseline needs root), then takes that away again.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_USER, startLoopbackFleet } from "../exec/loopback-fleet.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORK = path.join(ROOT, "bench", ".work", "baseline");
const SUDOERS = "/etc/sudoers.d/fleet-bench-baseline";

const option = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};

interface Timed {
  seconds: number;
  rssMb: number;
  code: number;
}

function timed(command: string, args: string[]): Timed {
  const out = path.join(WORK, "time.out");
  const result = spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", out, command, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  const [seconds, rss] = readFileSync(out, "utf8").trim().split("\n").at(-1)?.split(" ").map(Number) ?? [];
  return { seconds: seconds ?? NaN, rssMb: (rss ?? NaN) / 1024, code: result.status ?? -1 };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const hosts = Number(option("hosts", "50"));
  const runs = Number(option("runs", "3"));
  // e.g. --skip-tags LXD-GEN-01: leave out the package-update check, whose apt run dominates on hosts sharing one CPU
  const skipTags = option("skip-tags", "") === "" ? [] : ["--skip-tags", option("skip-tags", "")];
  mkdirSync(WORK, { recursive: true });
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  const fleet = await startLoopbackFleet(hosts, path.join(WORK, "fleet"));
  writeFileSync(SUDOERS, `${BENCH_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  try {
    const inventory = path.join(WORK, "inventory.yml");
    writeFileSync(inventory, `all:\n  vars:\n    ansible_user: ${BENCH_USER}\n    ansible_port: 22\n    ansible_ssh_private_key_file: ${fleet.clientKey}\n    fleet_known_hosts: ${fleet.knownHosts}\n  hosts:\n${fleet.addresses.map((address, index) => `    b${index + 1}: { ansible_host: ${address} }`).join("\n")}\n`);
    const hostKey = readFileSync(fleet.knownHosts, "utf8").trim().split("\n")[0]?.split(" ").at(-1) ?? "";
    const spec = path.join(WORK, "hosts.json");
    writeFileSync(spec, JSON.stringify({ user: BENCH_USER, key: fleet.clientKey, hostKey, addresses: fleet.addresses }));
    const report = path.join(WORK, "audit.json");
    const floor: Timed[] = [];
    const audit: Timed[] = [];
    for (let run = 0; run < runs; run++) {
      floor.push(timed(process.execPath, [path.join(ROOT, "bench", "exec", "raw-ssh2.mjs"), spec]));
      audit.push(timed(process.execPath, [path.join(ROOT, "dist", "cli", "main.js"), "audit", "baseline", "-i", inventory, "-f", String(hosts), "--ssh-config", "/dev/null", "--report", report, ...skipTags]));
    }
    const result = JSON.parse(readFileSync(report, "utf8")) as { hosts: Array<{ execs: number; status: string }>; summary: { controls: Record<string, number> } };
    const execs = result.hosts.map((host) => host.execs);
    const floorWall = median(floor.map((item) => item.seconds));
    const auditWall = median(audit.map((item) => item.seconds));
    const lines = [
      `LXD baseline audit${skipTags.length > 0 ? ` ${skipTags.join(" ")}` : ""} on ${hosts} loopback sshd hosts without a running LXD, median of ${runs} runs (${new Date().toISOString().slice(0, 10)})`,
      `| tool | wall s | × floor | peak RSS MB |`,
      `| --- | ---: | ---: | ---: |`,
      `| raw ssh2 floor (1 conn + 1 exec) | ${floorWall.toFixed(2)} | 1 | ${median(floor.map((item) => item.rssMb)).toFixed(0)} |`,
      `| fleet audit baseline | ${auditWall.toFixed(2)} | ${(auditWall / floorWall).toFixed(1)} | ${median(audit.map((item) => item.rssMb)).toFixed(0)} |`,
      `execs (round trips) per host: min ${Math.min(...execs)}, max ${Math.max(...execs)}; host statuses: ${[...new Set(result.hosts.map((host) => host.status))].join(", ")}; controls: ${JSON.stringify(result.summary.controls)}; audit exit codes ${audit.map((item) => item.code).join(", ")}`,
    ];
    writeFileSync(path.join(WORK, "results.md"), `${lines.join("\n")}\n`);
    console.log(lines.join("\n"));
  } finally {
    rmSync(SUDOERS, { force: true });
    await fleet.stop();
  }
}

await main();
