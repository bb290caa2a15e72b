/**
 * Benchmark of `fleet exec -- true` on loopback fleets of plain sshd hosts, side by side with:
 * the raw ssh2 baseline (one connection + one exec per host, all at once), the OpenSSH floor
 * (GNU xargs -P N ssh host true) and Ansible (`ansible all -m command -a true`, forks = hosts,
 * pipelining) when it is installed. Reports wall time (median of --runs) and peak RSS.
 *
 *   npx tsx bench/exec/run.ts [--sizes 50,200] [--runs 3]
 *
 * Needs root (starts sshd processes, creates the `fleetbench` account). Builds dist/ first.
 * Stops every sshd it started, also on Ctrl-C or failure.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_USER, type LoopbackFleet, startLoopbackFleet } from "./loopback-fleet.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORK = path.join(ROOT, "bench", ".work", "exec");

interface Measurement {
  tool: string;
  hosts: number;
  seconds: number[];
  peakRssMb: number;
  ok: boolean;
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

/** Run a command under GNU time; returns wall seconds and the peak RSS of the largest process. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<{ seconds: number; rssKb: number; code: number; stderr: string }> {
  return new Promise((resolve) => {
    const report = path.join(WORK, "time.out");
    const child = spawn("/usr/bin/time", ["-f", "%e %M", "-o", report, command, ...args], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(stdin ?? "");
    child.on("close", (code) => {
      const [seconds, rss] = readFileSync(report, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
      resolve({ seconds: seconds ?? NaN, rssKb: rss ?? NaN, code: code ?? -1, stderr });
    });
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Tool {
  name: string;
  runs: (fleet: LoopbackFleet) => number;
  prepare: (fleet: LoopbackFleet) => { command: string; args: string[]; env?: NodeJS.ProcessEnv; stdin?: string };
}

function tools(hosts: number, runs: number): Tool[] {
  const list: Tool[] = [
    {
      name: "raw ssh2 (1 conn + 1 exec per host, unbounded)",
      runs: () => runs,
      prepare: (fleet) => {
        const spec = path.join(fleet.dir, "raw.json");
        const hostKey = readFileSync(path.join(fleet.dir, "ssh_host_ed25519_key.pub"), "utf8").split(/\s+/)[1];
        writeFileSync(spec, JSON.stringify({ user: BENCH_USER, key: fleet.clientKey, hostKey, addresses: fleet.addresses }));
        return { command: process.execPath, args: [path.join(ROOT, "bench", "exec", "raw-ssh2.mjs"), spec] };
      },
    },
    {
      name: `fleet exec -f ${hosts}`,
      runs: () => runs,
      prepare: (fleet) => ({ command: process.execPath, args: [path.join(ROOT, "dist", "cli", "main.js"), "exec", "-i", inventoryYaml(fleet), "-f", String(hosts), "--ssh-config", "/dev/null", "--", "true"] }),
    },
    {
      name: "fleet exec (default -f 50)",
      runs: () => (hosts > 50 ? runs : 0),
      prepare: (fleet) => ({ command: process.execPath, args: [path.join(ROOT, "dist", "cli", "main.js"), "exec", "-i", inventoryYaml(fleet), "--ssh-config", "/dev/null", "--", "true"] }),
    },
    {
      name: `OpenSSH floor: xargs -P ${hosts} ssh`,
      runs: () => runs,
      prepare: (fleet) => ({
        command: "xargs",
        args: ["-P", String(hosts), "-I{}", "ssh", "-F", "/dev/null", "-i", fleet.clientKey, "-o", "IdentitiesOnly=yes", "-o", `UserKnownHostsFile=${fleet.knownHosts}`, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", `${BENCH_USER}@{}`, "true"],
        stdin: `${fleet.addresses.join("\n")}\n`,
      }),
    },
  ];
  if (commandExists("ansible")) {
    list.push({
      name: `ansible -m command -a true (forks ${hosts}, pipelining)`,
      runs: () => 1,
      prepare: (fleet) => ({
        command: "ansible",
        args: ["all", "-i", inventoryIni(fleet), "-f", String(hosts), "-m", "command", "-a", "true"],
        env: {
          ANSIBLE_PIPELINING: "True",
          ANSIBLE_HOST_KEY_CHECKING: "True",
          // no ControlPersist: it would leave ssh masters running after the benchmark
          ANSIBLE_SSH_ARGS: "-o ControlMaster=no",
          ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
          ANSIBLE_STDOUT_CALLBACK: "oneline",
          ANSIBLE_LOCALHOST_WARNING: "False",
        },
      }),
    });
  }
  return list;
}

function commandExists(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function inventoryYaml(fleet: LoopbackFleet): string {
  const file = path.join(fleet.dir, "inventory.yml");
  const hosts = fleet.addresses.map((address, index) => `    b${index + 1}: { ansible_host: ${address} }`).join("\n");
  writeFileSync(file, `all:\n  vars:\n    ansible_user: ${BENCH_USER}\n    ansible_port: 22\n    ansible_ssh_private_key_file: ${fleet.clientKey}\n    fleet_known_hosts: ${fleet.knownHosts}\n  hosts:\n${hosts}\n`);
  return file;
}

function inventoryIni(fleet: LoopbackFleet): string {
  const file = path.join(fleet.dir, "inventory.ini");
  const hosts = fleet.addresses.map((address, index) => `b${index + 1} ansible_host=${address}`).join("\n");
  const sshArgs = `-o UserKnownHostsFile=${fleet.knownHosts} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`;
  writeFileSync(file, `${hosts}\n\n[all:vars]\nansible_user=${BENCH_USER}\nansible_ssh_private_key_file=${fleet.clientKey}\nansible_ssh_common_args='${sshArgs}'\n`);
  return file;
}

async function measureSize(hosts: number, runs: number): Promise<Measurement[]> {
  console.error(`\n== ${hosts} hosts: starting sshd on 127.0.3.1..${hosts}`);
  const fleet = await startLoopbackFleet(hosts, WORK);
  const measurements: Measurement[] = [];
  try {
    for (const tool of tools(hosts, runs)) {
      if (stopping) break;
      const count = tool.runs(fleet);
      if (count === 0) continue;
      const { command, args, env, stdin } = tool.prepare(fleet);
      const measurement: Measurement = { tool: tool.name, hosts, seconds: [], peakRssMb: 0, ok: true };
      for (let run = 0; run < count; run += 1) {
        const outcome = await timed(command, args, env, stdin);
        measurement.seconds.push(outcome.seconds);
        measurement.peakRssMb = Math.max(measurement.peakRssMb, outcome.rssKb / 1024);
        if (outcome.code !== 0) {
          measurement.ok = false;
          console.error(`   ${tool.name}: exit ${outcome.code}\n${outcome.stderr.split("\n").slice(-5).join("\n")}`);
        }
      }
      console.error(`   ${tool.name}: ${measurement.seconds.map((s) => s.toFixed(2)).join(" / ")} s, peak RSS ${measurement.peakRssMb.toFixed(0)} MB`);
      measurements.push(measurement);
    }
  } finally {
    await fleet.stop();
  }
  return measurements;
}

function report(all: Measurement[]): string {
  const rows = all.map((m) => `| ${m.hosts} | ${m.tool} | ${median(m.seconds).toFixed(2)} | ${m.peakRssMb.toFixed(0)} |${m.ok ? "" : " (errors)"}`);
  const lines = ["| hosts | tool | wall s (median) | peak RSS MB |", "| ---: | --- | ---: | ---: |", ...rows];
  const fleetAt = (hosts: number): Measurement | undefined => all.find((m) => m.hosts === hosts && m.tool.startsWith(`fleet exec -f ${hosts}`));
  const rawAt = (hosts: number): Measurement | undefined => all.find((m) => m.hosts === hosts && m.tool.startsWith("raw ssh2"));
  const sizes = [...new Set(all.map((m) => m.hosts))].sort((a, b) => a - b);
  for (const hosts of sizes) {
    const fleet = fleetAt(hosts);
    const raw = rawAt(hosts);
    if (fleet && raw) lines.push("", `${hosts} hosts: fleet / raw ssh2 = ${(median(fleet.seconds) / median(raw.seconds)).toFixed(2)}×`);
  }
  const small = sizes[0];
  const large = sizes.at(-1);
  if (small !== undefined && large !== undefined && large > small) {
    for (const [name, pick] of [["fleet", fleetAt], ["raw ssh2", rawAt]] as const) {
      const a = pick(small);
      const b = pick(large);
      if (a && b) lines.push(`memory per connection (${name}, peak RSS ${large} vs ${small} hosts): ${(((b.peakRssMb - a.peakRssMb) * 1024) / (large - small)).toFixed(0)} KB`);
    }
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("run as root: the benchmark starts sshd processes and creates an account");
  mkdirSync(WORK, { recursive: true });
  console.error("building dist/ ...");
  try {
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  } catch {
    if (!existsSync(path.join(ROOT, "dist", "cli", "main.js"))) throw new Error("the build failed and there is no dist/cli/main.js");
    console.error("build reported errors; benchmarking the emitted dist/ anyway");
  }
  const sizes = option("sizes", "50,200").split(",").map(Number);
  const runs = Number(option("runs", "3"));
  const all: Measurement[] = [];
  for (const hosts of sizes) {
    if (!stopping) all.push(...(await measureSize(hosts, runs)));
  }
  const text = report(all);
  writeFileSync(path.join(WORK, "results.md"), `${text}\n`);
  console.log(`\n${text}`);
}

let stopping = false;
process.on("SIGINT", () => {
  if (stopping) return;
  stopping = true;
  console.error("interrupted: stopping sshd processes");
  // measureSize's finally stops the fleet once the running tool ends; make sure we exit after that
  setTimeout(() => process.exit(130), 5_000).unref();
});

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
