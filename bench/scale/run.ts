/**
 * How far one control machine goes: for each size, a loopback fleet of that many plain sshd hosts
 * (bench/exec's loopback fleet on 127.30.B.C, B = floor(i/250), C = i%250+1) and, side by side in
 * the same run, three whole processes under GNU time:
 *
 *   floor  bench/exec/raw-ssh2.mjs: one ssh2 connection + one exec of `true` per host, all at once
 *   audit  node dist/cli/main.js audit playbooks/baseline.yml -i INV -f SIZE --skip-tags LXD-GEN-01 --report R.json
 *   run    node dist/cli/main.js run bench/run/playbook.yml -i INV -f SIZE --report R.json,
 *          measured twice per pass: the first run on fresh per-host directories (8 of 10 tasks
 *          change) and the second (0 changed)
 *
 * For each: wall time (median of --runs), CPU seconds (user+sys) and per host, peak RSS, and the
 * peak number of ESTABLISHED TCP connections to the fleet's port 22 (sampled every ~100 ms with
 * `ss`, with the machine's memory and task count), plus machine CPU (/proc/stat, niced work left
 * out: the hosts' sshd and commands share the CPUs). fleet with its default forks (no -f: 50) is
 * measured too, at the largest size (--default-forks all: at every size above 50). One untimed
 * pass at the largest size (>= 1000 unless --profile) profiles the audit (on a pseudo-terminal,
 * so with the live progress line) and a first run (to a file) with node --cpu-prof, counts
 * connections/execs per host (bench/run/count-execs.mjs) and how long fleet's threads waited for
 * a CPU (schedstat.mjs); profile-shares.ts summarises the profiles, weighted by CPU.
 *
 *   npx tsx bench/scale/run.ts [--sizes 200,500,1000] [--runs 1] [--default-forks largest|all|none]
 *                              [--profile | --no-profile] [--with-apt] [--quiet-wait 180]
 *
 * --with-apt keeps LXD-GEN-01 (apt list --upgradable on every host, which the loopback hosts run
 * on the same CPUs) in the audit. Each timed process starts once other (not niced) work uses
 * under 15 % of the CPUs, waiting at most --quiet-wait seconds. Results: bench/.work/scale/
 * results.md; logs, reports and connection time series in bench/.work/scale/logs (replaced by the
 * next run); profiles in bench/.work/scale/profiles.
 *
 * Needs root: starts sshd processes, uses bench/exec's `fleetbench` account and lets it sudo
 * without a password while it runs (the baseline uses become, as in bench/baseline/run.ts).
 * Builds dist/ first. The 10-task playbook writes only under /tmp/fleet-bench-scale/<host>,
 * removed at the end. Stops every sshd it started and removes the sudoers file, also on Ctrl-C,
 * SIGTERM or failure.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_USER, type LoopbackFleet, startLoopbackFleet, WIDE_ADDRESSES } from "../exec/loopback-fleet.js";
import { describeShares, profileShares } from "./profile-shares.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORK = path.join(ROOT, "bench", ".work", "scale");
const LOGS = path.join(WORK, "logs");
const FLEET_MAIN = path.join(ROOT, "dist", "cli", "main.js");
const RAW_SSH2 = path.join(ROOT, "bench", "exec", "raw-ssh2.mjs");
const COUNT_EXECS = path.join(ROOT, "bench", "run", "count-execs.mjs");
const SCHEDSTAT = path.join(ROOT, "bench", "scale", "schedstat.mjs");
const BASELINE = path.join(ROOT, "playbooks", "baseline.yml");
const RUN_PLAYBOOK = path.join(ROOT, "bench", "run", "playbook.yml");
const SUDOERS = "/etc/sudoers.d/fleet-bench-scale";
/** The hosts' files. Fixed, so that resetting it can never touch anything else. */
const BASE = "/tmp/fleet-bench-scale";
/** The address range WIDE_ADDRESSES uses, for the connection sampler. */
const FLEET_NET = "127.30.0.0/16";
const TIMEOUT_MS = 30 * 60_000;
const CLOCK_TICKS = 100;
const QUIET_BUSY = 0.15;

/** The 10-task playbook on a fresh host: 8 tasks change; bench/run/run.ts checks the same. */
const TASKS = 10;
const FIRST_RUN_CHANGES = 8;

type Kind = "floor" | "audit" | "first" | "second";
const KIND_LABEL: Record<Kind, string> = {
  floor: "raw ssh2 floor (1 conn + 1 exec of true)",
  audit: "fleet audit baseline.yml",
  first: "fleet run, first (8 of 10 change)",
  second: "fleet run, second (0 change)",
};

interface Sample {
  seconds: number;
  cpuSeconds: number;
  sysSeconds: number;
  rssKb: number;
  code: number;
  machineCpuSeconds: number;
  forks: number;
  peakConnections: number;
  /** Seconds from the start until 90 % of the peak connections were open. */
  rampSeconds: number;
  samplerSamples: number;
  samplerCpuSeconds: number;
  /** Memory the machine used at the fullest beyond what it used at the start (MemAvailable, MB), and the most tasks alive, over the run. */
  machineMemoryMb: number;
  machineThreads: number;
  stdoutBytes: number;
  stdoutLines: number;
  stderrBytes: number;
  stderrLines: number;
  busyBefore: number;
  problems: string[];
  commandLine: string;
  errFile: string;
}

interface Row {
  hosts: number;
  kind: Kind;
  /** -f given, or "default" (none). The floor has none: "all". */
  forks: number | "default" | "all";
  samples: Sample[];
}

let stopping = false;
/** Thrown instead of starting a process after Ctrl-C/SIGTERM: the sizes unwind, their fleets stop, the report shows what was measured. */
class Interrupted extends Error {
  constructor() {
    super("interrupted");
  }
}
let activeFleet: LoopbackFleet | undefined;
/** The measured process's group (it runs in a group of its own, so signals reach it only from here). */
let measuredGroup: number | undefined;
const problems: string[] = [];
const notes: string[] = [];

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);
const indent = (text: string): string => text.split("\n").map((line) => `    ${line}`).join("\n");

// ---------------------------------------------------------------- the machine

/**
 * Machine-wide CPU jiffies from /proc/stat: busy (all but idle, iowait and nice) and total, and
 * the fork count since boot. Time of niced processes is left out of busy: other people's
 * background work at nice 19 (test workers) takes next to nothing from the nice-0 processes
 * measured here and the hosts, but would otherwise count as "busy" for ever.
 */
function machineSample(): { busy: number; total: number; forks: number } {
  const text = readFileSync("/proc/stat", "utf8");
  const cpu = (/^cpu\s+(.*)$/m.exec(text)?.[1] ?? "").trim().split(/\s+/).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  const notBusy = (cpu[1] ?? 0) + (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - notBusy, total, forks: Number(/^processes\s+(\d+)/m.exec(text)?.[1] ?? NaN) };
}

/** Waits (at most --quiet-wait s) until other (not niced) work uses under 15 % of the CPUs over 2 s; returns the busy share seen last. */
async function waitForQuiet(label: string): Promise<number> {
  const deadline = Date.now() + Number(option("quiet-wait", "180")) * 1000;
  let warned = false;
  for (;;) {
    const before = machineSample();
    await sleep(2000);
    const after = machineSample();
    const busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (busy <= QUIET_BUSY || Date.now() > deadline || stopping) {
      if (busy > QUIET_BUSY) console.error(`   ${label}: machine still ${(busy * 100).toFixed(0)}% busy with other work; measuring anyway (flagged)`);
      return busy;
    }
    if (!warned) console.error(`   ${label}: machine ${(busy * 100).toFixed(0)}% busy with other work; waiting for it to calm down`);
    warned = true;
    await sleep(3000);
  }
}

const readSys = (file: string): string => {
  try {
    return readFileSync(file, "utf8").trim().replace(/\s+/g, " ");
  } catch {
    return "?";
  }
};

function machine(): string {
  const cpus = readFileSync("/proc/cpuinfo", "utf8").split("\n").filter((line) => line.startsWith("model name"));
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? NaN);
  const ssh = spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr.trim();
  return `nproc ${cpus.length} (${cpus[0]?.split(":")[1]?.trim() ?? "?"}), ${(memKb / 1024 / 1024).toFixed(1)} GiB RAM, Linux ${spawnSync("uname", ["-r"], { encoding: "utf8" }).stdout.trim()}, Node ${process.version}, ${ssh}`;
}

/** Limits 1,000 listeners and 1,000 connections at once can run into, and whether each is enough. */
function limits(largest: number): string[] {
  const nofile = /Max open files\s+(\d+)\s+(\d+)/.exec(readFileSync("/proc/self/limits", "utf8"));
  const nproc = /Max processes\s+(\S+)\s+(\S+)/.exec(readFileSync("/proc/self/limits", "utf8"));
  const soft = Number(nofile?.[1] ?? NaN);
  const pidMax = Number(readSys("/proc/sys/kernel/pid_max"));
  // fleet: one socket per open connection (-f = hosts) plus ~40 (node, files); sshd: 1 listener per host, ~3 processes per open connection
  const fleetFds = largest + 64;
  const processes = largest * 4 + 200;
  return [
    `open files (ulimit -n, inherited by fleet and the sshd): soft ${nofile?.[1] ?? "?"}, hard ${nofile?.[2] ?? "?"}; fleet needs about ${fleetFds} at -f ${largest} (one socket per open connection): ${soft >= fleetFds ? "enough, not raised" : "TOO LOW: raise it (ulimit -n)"}`,
    `processes: ulimit -u ${nproc?.[1] ?? "?"}, kernel.pid_max ${pidMax}, kernel.threads-max ${readSys("/proc/sys/kernel/threads-max")}; at ${largest} hosts with every connection open: ${largest} sshd listeners + about 3 sshd per connection + the hosts' commands, about ${processes}: ${pidMax > processes * 2 ? "enough, not raised" : "tight"}`,
    `net.core.somaxconn ${readSys("/proc/sys/net/core/somaxconn")}, net.ipv4.tcp_max_syn_backlog ${readSys("/proc/sys/net/ipv4/tcp_max_syn_backlog")}: each sshd listens on its own address and receives one connection at a time, so no backlog fills; not raised`,
    `sshd MaxStartups 200:30:400 per listener (bench/exec's config): per address, so 1 pending connection each; not raised. net.ipv4.ip_local_port_range ${readSys("/proc/sys/net/ipv4/ip_local_port_range")}, nf_conntrack_max ${readSys("/proc/sys/net/netfilter/nf_conntrack_max")}, tcp_max_tw_buckets ${readSys("/proc/sys/net/ipv4/tcp_max_tw_buckets")}: every connection has its own destination address; not raised`,
  ];
}

// ---------------------------------------------------------------- the connection sampler

interface Sampler {
  stop(): Promise<{ peak: number; samples: number; cpuSeconds: number; series: Array<[number, number]>; minAvailableKb: number; peakThreads: number }>;
}

/**
 * Counts ESTABLISHED TCP connections to FLEET_NET port 22 every ~100 ms: one bash loop running
 * `ss -4` with a kernel-side filter (inet_diag bytecode) and a marker line after each sample; the
 * 100 ms wait is bash's `read -t` on a pipe this process holds (no `sleep` process), so a sample
 * costs one fork+exec of ss and one kernel walk of the IPv4 TCP table. The loop ends by itself
 * when this process goes away (the pipe closes). Its own CPU (bash and the ss it started) is
 * reported.
 */
function startSampler(): Sampler {
  const filter = `( dst ${FLEET_NET} and dport = :22 )`;
  // after the ss lines: "M <MemAvailable kB>" and "T <threads on the machine>", read with shell builtins only (no extra process)
  const memory = `while read -r key value rest; do if [ "$key" = MemAvailable: ]; then echo "M $value"; break; fi; done < /proc/meminfo`;
  const threads = `read -r one five fifteen entities rest < /proc/loadavg; echo "T \${entities#*/}"`;
  const script = `while :; do ss -4 -Htn state established '${filter}'; ${memory}; ${threads}; echo @; read -t 0.1 -u 3; [ $? -gt 128 ] || exit 0; done`;
  const child = spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "ignore", "pipe"] });
  let peak = 0;
  let samples = 0;
  let current = 0;
  let minAvailableKb = Infinity;
  let peakThreads = 0;
  let rest = "";
  const started = Date.now();
  const series: Array<[number, number]> = [];
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    rest += chunk;
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "@") {
        samples += 1;
        peak = Math.max(peak, current);
        series.push([Date.now() - started, current]);
        current = 0;
      } else if (line.startsWith("M ")) minAvailableKb = Math.min(minAvailableKb, Number(line.slice(2)));
      else if (line.startsWith("T ")) peakThreads = Math.max(peakThreads, Number(line.slice(2)));
      else if (line.trim() !== "") current += 1;
    }
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        let cpuSeconds = NaN;
        try {
          const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
          const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
          // utime, stime, cutime, cstime: fields 14..17 of stat, 11..14 after "pid (comm) "
          cpuSeconds = ((fields[11] ?? 0) + (fields[12] ?? 0) + (fields[13] ?? 0) + (fields[14] ?? 0)) / CLOCK_TICKS;
        } catch {
          // gone already
        }
        const result = (): Awaited<ReturnType<Sampler["stop"]>> => ({ peak, samples, cpuSeconds, series, minAvailableKb, peakThreads });
        if (child.exitCode !== null || child.signalCode !== null) return resolve(result());
        child.once("exit", () => resolve(result()));
        child.kill("SIGTERM");
      }),
  };
}

// ---------------------------------------------------------------- timing one process

const memAvailableKb = (): number => Number(/MemAvailable:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? NaN);

function countLines(file: string): { bytes: number; lines: number } {
  const data = readFileSync(file);
  let lines = 0;
  for (let index = data.indexOf(10); index >= 0; index = data.indexOf(10, index + 1)) lines += 1;
  return { bytes: data.length, lines };
}

/**
 * Runs a command under GNU time (-f "%e %U %S %M"), stdout and stderr to files (no pipe
 * back-pressure), with the connection sampler running beside it.
 */
async function timed(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}, tty = false): Promise<Sample> {
  mkdirSync(LOGS, { recursive: true });
  const busyBefore = await waitForQuiet(label);
  if (stopping) throw new Interrupted();
  const report = path.join(WORK, "time.out");
  const outFile = path.join(LOGS, `${label}.out`);
  const errFile = path.join(LOGS, `${label}.err`);
  const envWords = Object.entries(env).map(([key, value]) => `${key}=${shellWord(value ?? "")}`);
  const commandLine = `${[...envWords, ...[command, ...args].map(shellWord)].join(" ")}${tty ? "  (on a pseudo-terminal: util-linux script)" : ""}`;
  const out = openSync(outFile, "w");
  const err = openSync(errFile, "w");
  const availableAtStart = memAvailableKb();
  const sampler = startSampler();
  const start = machineSample();
  const code = await new Promise<number>((resolve) => {
    const timeArgs = ["-f", "%e %U %S %M", "-o", report, command, ...args];
    // on a terminal: util-linux script gives the process a pseudo-terminal (stdout and stderr both), whose output goes to the .out file
    const child = tty
      ? spawn("script", ["-qfec", ["/usr/bin/time", ...timeArgs].map(shellWord).join(" "), "/dev/null"], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", out, err], detached: true })
      : spawn("/usr/bin/time", timeArgs, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", out, err], detached: true });
    measuredGroup = child.pid;
    const timer = setTimeout(() => {
      console.error(`   ${label}: still running after ${TIMEOUT_MS / 60_000} min, stopping it (process group ${child.pid})`);
      signalMeasured("SIGTERM");
    }, TIMEOUT_MS);
    child.on("close", (exit) => {
      clearTimeout(timer);
      measuredGroup = undefined;
      resolve(exit ?? -1);
    });
  });
  const end = machineSample();
  const connections = await sampler.stop();
  closeSync(out);
  closeSync(err);
  const lastLine = existsSync(report) ? (readFileSync(report, "utf8").trim().split("\n").at(-1) ?? "") : "";
  const [seconds, user, system, rss] = lastLine.split(" ").map(Number);
  rmSync(report, { force: true });
  writeFileSync(path.join(LOGS, `${label}.conns.tsv`), connections.series.map(([ms, count]) => `${ms}\t${count}\n`).join(""));
  const rampAt = connections.series.find(([, count]) => count >= 0.9 * connections.peak)?.[0];
  const stdout = countLines(outFile);
  const stderr = countLines(errFile);
  return {
    seconds: seconds ?? NaN,
    cpuSeconds: (user ?? NaN) + (system ?? NaN),
    sysSeconds: system ?? NaN,
    rssKb: rss ?? NaN,
    code,
    machineCpuSeconds: (end.busy - start.busy) / CLOCK_TICKS,
    forks: end.forks - start.forks,
    peakConnections: connections.peak,
    rampSeconds: rampAt === undefined ? NaN : rampAt / 1000,
    samplerSamples: connections.samples,
    machineMemoryMb: Math.max(0, availableAtStart - connections.minAvailableKb) / 1024,
    machineThreads: connections.peakThreads,
    samplerCpuSeconds: connections.cpuSeconds,
    stdoutBytes: stdout.bytes,
    stdoutLines: stdout.lines,
    stderrBytes: stderr.bytes,
    stderrLines: stderr.lines,
    busyBefore,
    problems: [],
    commandLine,
    errFile,
  };
}

function signalMeasured(signal: NodeJS.Signals): void {
  if (measuredGroup === undefined) return;
  try {
    process.kill(-measuredGroup, signal);
  } catch {
    // ended already
  }
}

// ---------------------------------------------------------------- the hosts' files

function benchAccount(): { uid: number; gid: number } {
  return { uid: Number(execFileSync("id", ["-u", BENCH_USER], { encoding: "utf8" })), gid: Number(execFileSync("id", ["-g", BENCH_USER], { encoding: "utf8" })) };
}

const hostNames = (hosts: number): string[] => Array.from({ length: hosts }, (_, index) => `b${index + 1}`);
const hostRoot = (host: string): string => path.join(BASE, host);

function removeState(): void {
  if (BASE !== "/tmp/fleet-bench-scale") throw new Error("refusing to remove an unexpected directory");
  rmSync(BASE, { recursive: true, force: true });
}

/** A fresh state: an empty directory per host, owned by the bench account. */
function resetState(hosts: number): void {
  removeState();
  mkdirSync(BASE, { mode: 0o755 });
  chmodSync(BASE, 0o755);
  const { uid, gid } = benchAccount();
  for (const host of hostNames(hosts)) {
    mkdirSync(hostRoot(host));
    chmodSync(hostRoot(host), 0o755);
    chownSync(hostRoot(host), uid, gid);
  }
}

const sha = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex").slice(0, 16);
/** What bench/run/playbook.yml leaves on a host (as bench/run/run.ts checks it). */
const EXPECTED_STATE = [
  ". dir 0750",
  "etc dir 0755",
  `etc/app.conf file 0644 ${sha("# managed by the fleet benchmark\nlisten = 127.0.0.1:8080\nworkers = 4\n")}`,
  `etc/limits.conf file 0640 ${sha("* soft nofile 65536\n* hard nofile 65536\n")}`,
  `etc/sshd_config file 0600 ${sha("PermitRootLogin no\nMaxAuthTries 3\n")}`,
  `motd file 0600 ${sha("Authorized use only.\n")}`,
].join("\n");

function fingerprint(host: string): string {
  const lines: string[] = [];
  const walk = (relative: string): void => {
    const full = path.join(hostRoot(host), relative);
    const stat = lstatSync(full);
    const mode = (stat.mode & 0o7777).toString(8).padStart(4, "0");
    if (stat.isDirectory()) {
      lines.push(`${relative || "."} dir ${mode}`);
      for (const name of readdirSync(full).sort()) walk(path.join(relative, name));
    } else if (stat.isFile()) lines.push(`${relative} file ${mode} ${sha(readFileSync(full))}`);
    else lines.push(`${relative} other ${mode}`);
  };
  walk("");
  return lines.join("\n");
}

function stateProblems(hosts: number): string[] {
  const wrong: string[] = [];
  for (const host of hostNames(hosts)) {
    let actual: string;
    try {
      actual = fingerprint(host);
    } catch (error) {
      actual = `unreadable: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (actual !== EXPECTED_STATE) wrong.push(`${host}:\n${actual}`);
  }
  return wrong.length === 0 ? [] : [`${wrong.length} of ${hosts} hosts do not hold the files the playbook describes; first one:\n${wrong[0]}`];
}

// ---------------------------------------------------------------- inventory, commands, checks

function writeInventory(fleet: LoopbackFleet): string {
  const file = path.join(fleet.dir, "inventory.yml");
  const hosts = fleet.addresses.map((address, index) => `    b${index + 1}: { ansible_host: ${address}, root: ${hostRoot(`b${index + 1}`)} }`).join("\n");
  writeFileSync(file, `all:\n  vars:\n    ansible_user: ${BENCH_USER}\n    ansible_port: 22\n    ansible_ssh_private_key_file: ${fleet.clientKey}\n    fleet_known_hosts: ${fleet.knownHosts}\n  hosts:\n${hosts}\n`);
  return file;
}

function writeFloorSpec(fleet: LoopbackFleet): string {
  const spec = path.join(fleet.dir, "raw.json");
  const hostKey = readFileSync(path.join(fleet.dir, "ssh_host_ed25519_key.pub"), "utf8").split(/\s+/)[1];
  writeFileSync(spec, JSON.stringify({ user: BENCH_USER, key: fleet.clientKey, hostKey, addresses: fleet.addresses }));
  return spec;
}

const auditSkip = (): string[] => (flag("with-apt") ? [] : ["--skip-tags", "LXD-GEN-01"]);

function fleetArgs(kind: Exclude<Kind, "floor">, inventory: string, forks: number | "default", reportFile: string): string[] {
  const forkArgs = forks === "default" ? [] : ["-f", String(forks)];
  if (kind === "audit") return [FLEET_MAIN, "audit", BASELINE, "-i", inventory, ...forkArgs, "--ssh-config", "/dev/null", ...auditSkip(), "--report", reportFile];
  return [FLEET_MAIN, "run", RUN_PLAYBOOK, "-i", inventory, ...forkArgs, "--ssh-config", "/dev/null", "--report", reportFile];
}

interface ReportLike {
  summary: { hosts: number; unreachable: number; changed: number; failed: number; tasks: Record<string, number>; controls: Record<string, number> };
  hosts: Array<{ name: string; status: string; error: string | null; execs?: number; tasks: Array<{ name: string; status: string; message: string }> }>;
}

function readReport(file: string): ReportLike | string {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ReportLike;
  } catch (error) {
    return `no JSON report in ${file}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** What each process must show; the problems found (reported, never hidden). */
function check(kind: Kind, hosts: number, sample: Sample, reportFile: string, auditReference: { value?: string }): string[] {
  const found: string[] = [];
  if (kind === "floor") return sample.code === 0 ? [] : [`exit ${sample.code} (expected 0)`];
  // audit: 2 = not compliant, expected here (no LXD); 1, 4, 5 are errors. run: 0.
  const expected = kind === "audit" ? 2 : 0;
  if (sample.code !== expected) found.push(`exit ${sample.code} (expected ${expected})`);
  const report = readReport(reportFile);
  if (typeof report === "string") return [...found, report];
  const { summary } = report;
  if (summary.hosts !== hosts) found.push(`summary.hosts = ${summary.hosts}, expected ${hosts}`);
  if (summary.unreachable !== 0) found.push(`summary.unreachable = ${summary.unreachable}`);
  if (kind === "audit") {
    // the loopback hosts are identical: every host must come out with the same task statuses, and the same as in the first audit
    const shapeOf = (host: ReportLike["hosts"][number]): string => `${host.status}: ${JSON.stringify(Object.fromEntries(["ok", "changed", "failed", "skipped"].map((status) => [status, host.tasks.filter((task) => task.status === status).length])))}`;
    const shapes = new Map<string, string[]>();
    for (const host of report.hosts) shapes.set(shapeOf(host), [...(shapes.get(shapeOf(host)) ?? []), host.name]);
    const [common] = [...shapes].sort((a, b) => b[1].length - a[1].length)[0] ?? ["", []];
    if (auditReference.value === undefined && shapes.size === 1) auditReference.value = common;
    if (auditReference.value !== undefined && common !== auditReference.value) found.push(`most hosts end as ${common}, in an earlier audit ${auditReference.value}`);
    for (const [shape, names] of shapes) if (shape !== common) found.push(`${names.length} hosts end as ${shape} (most: ${common}), e.g. ${names.slice(0, 3).join(", ")}`);
    const sample = report.hosts.find((host) => host.status === "unreachable");
    if (sample) found.push(`e.g. ${sample.name}: ${sample.error} (after ${sample.tasks.length} task results)`);
  } else {
    const want: Record<string, number> = kind === "first" ? { changed: FIRST_RUN_CHANGES * hosts, ok: (TASKS - FIRST_RUN_CHANGES) * hosts } : { changed: 0, ok: TASKS * hosts };
    want["failed"] = 0;
    want["skipped"] = 0;
    for (const [status, count] of Object.entries(want)) if ((summary.tasks[status] ?? 0) !== count) found.push(`summary.tasks.${status} = ${summary.tasks[status] ?? 0}, expected ${count}`);
    const sampleHost = report.hosts.find((host) => host.status === "failed" || host.status === "unreachable" || host.tasks.some((task) => task.status === "failed"));
    if (sampleHost) found.push(`e.g. ${sampleHost.name} (${sampleHost.status}${sampleHost.error ? `: ${sampleHost.error}` : ""}): ${sampleHost.tasks.filter((task) => task.status === "failed").map((task) => `${task.name}: ${task.message}`).join("; ")}`);
    found.push(...stateProblems(hosts));
  }
  return found;
}

function record(rows: Row[], hosts: number, kind: Kind, forks: Row["forks"], sample: Sample, found: string[]): void {
  let row = rows.find((candidate) => candidate.hosts === hosts && candidate.kind === kind && candidate.forks === forks);
  if (row === undefined) rows.push((row = { hosts, kind, forks, samples: [] }));
  sample.problems = found;
  row.samples.push(sample);
  const line = `   ${KIND_LABEL[kind]}${forks === "all" ? "" : forks === "default" ? " (default forks)" : ` -f ${forks}`}: ${sample.seconds.toFixed(2)} s wall, ${sample.cpuSeconds.toFixed(2)} s CPU (machine ${sample.machineCpuSeconds.toFixed(1)} s, ${sample.forks} processes), peak RSS ${(sample.rssKb / 1024).toFixed(0)} MB, peak ${sample.peakConnections} connections (90 % of it after ${sample.rampSeconds.toFixed(1)} s; ${sample.samplerSamples} samples), stdout ${sample.stdoutLines} lines, machine +${sample.machineMemoryMb.toFixed(0)} MB in use at the fullest, ${sample.machineThreads} tasks, exit ${sample.code}${sample.busyBefore > QUIET_BUSY ? ` [machine ${(sample.busyBefore * 100).toFixed(0)}% busy before]` : ""}`;
  console.error(found.length === 0 ? line : `${line}  PROBLEM`);
  if (found.length > 0) {
    const stderrTail = readFileSync(sample.errFile, "utf8").trim().split("\n").slice(-6).join("\n");
    const text = `${hosts} hosts, ${KIND_LABEL[kind]} (forks ${forks}):\n  $ ${sample.commandLine}\n  ${found.join("\n  ")}\n  stderr (last lines):\n${indent(stderrTail)}`;
    problems.push(text);
    console.error(indent(found.join("\n")));
  }
}

const labelOf = (hosts: number, kind: Kind, forks: Row["forks"], run: number): string => `${hosts}-${kind}-f${forks}-r${run}`;

// ---------------------------------------------------------------- one size

function listening(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: 22 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function fleetPass(rows: Row[], hosts: number, inventory: string, forks: number | "default", run: number, auditReference: { value?: string }): Promise<void> {
  for (const kind of ["audit", "first", "second"] as const) {
    if (stopping) return;
    if (kind === "first") resetState(hosts);
    const label = labelOf(hosts, kind, forks, run);
    const reportFile = path.join(LOGS, `${label}.json`);
    rmSync(reportFile, { force: true });
    const sample = await timed(label, process.execPath, fleetArgs(kind, inventory, forks, reportFile));
    record(rows, hosts, kind, forks, sample, check(kind, hosts, sample, reportFile, auditReference));
    if (kind === "audit") {
      const report = readReport(reportFile);
      if (typeof report !== "string" && run === 0 && forks !== "default") {
        const execs = report.hosts.map((host) => host.execs ?? NaN);
        notes.push(`${hosts} hosts, audit: execs per host ${Math.min(...execs)}..${Math.max(...execs)}, host statuses ${[...new Set(report.hosts.map((host) => host.status))].join("/")}, controls ${JSON.stringify(report.summary.controls)} (no LXD on these hosts: most LXD controls are errors or n/a; exit 2 is expected), report ${(statSync(reportFile).size / 1e6).toFixed(1)} MB`);
      }
    }
  }
}

interface Census {
  profiles: Array<{ label: string; file: string }>;
}

/**
 * Untimed: the audit (on a pseudo-terminal, so with the live progress line) and the first run
 * (to a file) again under --cpu-prof, with ssh2's Client counted from outside (count-execs.mjs).
 */
async function profilePass(hosts: number, inventory: string): Promise<Census> {
  const profiles: Census["profiles"] = [];
  for (const kind of ["audit", "first"] as const) {
    if (stopping) break;
    if (kind === "first") resetState(hosts);
    const tty = kind === "audit";
    const label = `${hosts}-${kind}-profile${tty ? "-tty" : ""}`;
    const dir = path.join(WORK, "profiles", label);
    rmSync(dir, { recursive: true, force: true });
    const countFile = path.join(LOGS, `${label}.counts.json`);
    const schedFile = path.join(LOGS, `${label}.schedstat.json`);
    rmSync(schedFile, { force: true });
    const reportFile = path.join(LOGS, `${label}.json`);
    const nodeArgs = ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--import", COUNT_EXECS, "--import", SCHEDSTAT, ...fleetArgs(kind, inventory, hosts, reportFile)];
    const sample = await timed(label, process.execPath, nodeArgs, { FLEET_BENCH_EXEC_COUNT: countFile, FLEET_BENCH_SCHEDSTAT: schedFile }, tty);
    let sched = "";
    if (existsSync(schedFile)) {
      const figures = JSON.parse(readFileSync(schedFile, "utf8")) as { mainOnCpuS: number; mainWaitS: number; allOnCpuS: number; allWaitS: number; threads: number };
      sched = `; main thread ${figures.mainOnCpuS.toFixed(2)} s on a CPU and ${figures.mainWaitS.toFixed(2)} s runnable but waiting for one (all ${figures.threads} threads: ${figures.allOnCpuS.toFixed(2)} s / ${figures.allWaitS.toFixed(2)} s)`;
    }
    // on the terminal fleet prints task lines and the recap as usual; the exit code and report are checked the same way
    const found = check(kind, hosts, sample, reportFile, {});
    const output = `${sample.stdoutLines} lines, ${(sample.stdoutBytes / 1024).toFixed(0)} KB ${tty ? "on the terminal (stdout and stderr)" : "on stdout"}`;
    console.error(`   profiled ${KIND_LABEL[kind]} -f ${hosts}${tty ? " on a terminal" : ""}: ${sample.seconds.toFixed(2)} s wall, ${sample.cpuSeconds.toFixed(2)} s CPU, ${output}${found.length > 0 ? `; ${found.join("; ")}` : ""}`);
    notes.push(`${hosts} hosts, ${KIND_LABEL[kind]} -f ${hosts} under the profiler${tty ? " on a pseudo-terminal (live progress line on)" : ""}: ${sample.seconds.toFixed(2)} s wall, ${sample.cpuSeconds.toFixed(2)} CPU-s, peak RSS ${(sample.rssKb / 1024).toFixed(0)} MB, ${output}${found.length > 0 ? `; problems: ${found.join("; ")}` : ""}`);
    if (existsSync(countFile)) {
      type Counts = { connect: number; exec: number; bytesUp: number; bytesDown: number };
      const counts = Object.values(JSON.parse(readFileSync(countFile, "utf8")) as Record<string, Counts>);
      const sum = (key: keyof Counts): number => counts.reduce((total, count) => total + count[key], 0);
      notes.push(`${hosts} hosts, ${KIND_LABEL[kind]} (profile pass, count-execs.mjs): ${(sum("connect") / counts.length).toFixed(2)} connections and ${(sum("exec") / counts.length).toFixed(2)} execs per host, ${(sum("bytesUp") / counts.length / 1024).toFixed(1)} KB sent and ${(sum("bytesDown") / counts.length / 1024).toFixed(1)} KB received per host (${counts.length} hosts seen)`);
    }
    const file = existsSync(dir) ? readdirSync(dir).find((name) => name.endsWith(".cpuprofile")) : undefined;
    if (file) profiles.push({ label: `${KIND_LABEL[kind]}, -f ${hosts}, ${hosts} hosts${tty ? ", on a terminal" : ", output to a file"} (under the profiler: ${sample.seconds.toFixed(1)} s wall, ${sample.cpuSeconds.toFixed(2)} s CPU of which ${sample.sysSeconds.toFixed(2)} s system${sched})`, file: path.join(dir, file) });
  }
  return { profiles };
}

async function measureSize(hosts: number, runs: number, settings: { defaultForks: boolean; profile: boolean }): Promise<Census> {
  const first = WIDE_ADDRESSES.addressOf(0);
  const last = WIDE_ADDRESSES.addressOf(hosts - 1);
  for (const address of [first, last]) if (await listening(address)) throw new Error(`${address}:22 is already taken (another bench/scale running?); stop it first`);
  console.error(`\n== ${hosts} hosts: starting sshd on ${first}..${last}`);
  const started = Date.now();
  const availableBefore = memAvailableKb();
  const fleet = await startLoopbackFleet(hosts, WORK, WIDE_ADDRESSES);
  activeFleet = fleet;
  notes.push(`${hosts} hosts: ${hosts} sshd listening after ${((Date.now() - started) / 1000).toFixed(1)} s; the idle listeners take about ${((availableBefore - memAvailableKb()) / 1024).toFixed(0)} MB of the machine's memory`);
  const rows: Row[] = [];
  let census: Census = { profiles: [] };
  try {
    const inventory = writeInventory(fleet);
    const spec = writeFloorSpec(fleet);
    const auditReference: { value?: string } = {};
    for (let run = 0; run < runs && !stopping; run++) {
      const label = labelOf(hosts, "floor", "all", run);
      const sample = await timed(label, process.execPath, [RAW_SSH2, spec]);
      record(rows, hosts, "floor", "all", sample, check("floor", hosts, sample, "", auditReference));
      await fleetPass(rows, hosts, inventory, hosts, run, auditReference);
    }
    if (settings.defaultForks && hosts > 50) for (let run = 0; run < runs && !stopping; run++) await fleetPass(rows, hosts, inventory, "default", run, auditReference);
    if (settings.profile && !stopping) census = await profilePass(hosts, inventory);
  } finally {
    await fleet.stop();
    activeFleet = undefined;
    removeState();
    allRows.push(...rows);
  }
  return census;
}

// ---------------------------------------------------------------- the report

const allRows: Row[] = [];

const med = (row: Row, pick: (sample: Sample) => number): number => median(row.samples.map(pick));
const floorRow = (hosts: number): Row | undefined => allRows.find((row) => row.hosts === hosts && row.kind === "floor");
const forksLabel = (row: Row): string => (row.forks === "all" ? "all at once" : row.forks === "default" ? "default (50)" : String(row.forks));

function table(): string[] {
  const lines = [
    "| hosts | process | -f | runs | wall s (median) | × floor wall | CPU s user+sys | CPU ms / host | × floor CPU | machine CPU s | peak RSS MB | peak conns open (90 % reached after s) | machine: MB more in use at peak / tasks alive at peak | stdout lines / KB |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of allRows) {
    const floor = floorRow(row.hosts);
    const wall = med(row, (s) => s.seconds);
    const cpu = med(row, (s) => s.cpuSeconds);
    const floorWall = floor ? med(floor, (s) => s.seconds) : NaN;
    const floorCpu = floor ? med(floor, (s) => s.cpuSeconds) : NaN;
    const rss = Math.max(...row.samples.map((s) => s.rssKb)) / 1024;
    const peak = Math.max(...row.samples.map((s) => s.peakConnections));
    const flagged = `${row.samples.some((s) => s.problems.length > 0) ? " **(problems)**" : ""}${row.samples.some((s) => s.busyBefore > QUIET_BUSY) ? " (busy machine)" : ""}`;
    lines.push(
      `| ${row.hosts} | ${KIND_LABEL[row.kind]}${flagged} | ${forksLabel(row)} | ${row.samples.length} | ${wall.toFixed(2)} | ${row.kind === "floor" ? "1" : (wall / floorWall).toFixed(2)} | ${cpu.toFixed(2)} | ${((1000 * cpu) / row.hosts).toFixed(2)} | ${row.kind === "floor" ? "1" : (cpu / floorCpu).toFixed(2)} | ${med(row, (s) => s.machineCpuSeconds).toFixed(1)} | ${rss.toFixed(0)} | ${peak} (${med(row, (s) => s.rampSeconds).toFixed(1)}) | ${Math.max(...row.samples.map((s) => s.machineMemoryMb)).toFixed(0)} / ${Math.max(...row.samples.map((s) => s.machineThreads))} | ${med(row, (s) => s.stdoutLines)} / ${(med(row, (s) => s.stdoutBytes) / 1024).toFixed(0)} |`,
    );
  }
  return lines;
}

function linearity(): string[] {
  const sizes = [...new Set(allRows.map((row) => row.hosts))].sort((a, b) => a - b);
  if (sizes.length < 2) return [];
  const first = sizes[0] as number;
  const lines = [
    `Per host, by size (ratio to ${first} hosts in brackets; 1.00 = grows linearly):`,
    "",
    `| process | ${sizes.map((size) => `wall ms/host at ${size}`).join(" | ")} | ${sizes.map((size) => `CPU ms/host at ${size}`).join(" | ")} |`,
    `| --- | ${sizes.map(() => "---:").join(" | ")} | ${sizes.map(() => "---:").join(" | ")} |`,
  ];
  for (const kind of ["floor", "audit", "first", "second"] as const) {
    const pick = (size: number): Row | undefined => allRows.find((row) => row.hosts === size && row.kind === kind && (kind === "floor" || row.forks === size));
    const base = pick(first);
    if (!base) continue;
    const cell = (size: number, value: (row: Row) => number): string => {
      const row = pick(size);
      if (!row) return "";
      const perHost = (1000 * value(row)) / size;
      const basePerHost = (1000 * value(base)) / first;
      return `${perHost.toFixed(2)} (${(perHost / basePerHost).toFixed(2)})`;
    };
    lines.push(`| ${KIND_LABEL[kind]}${kind === "floor" ? "" : " -f = hosts"} | ${sizes.map((size) => cell(size, (row) => med(row, (s) => s.seconds))).join(" | ")} | ${sizes.map((size) => cell(size, (row) => med(row, (s) => s.cpuSeconds))).join(" | ")} |`);
  }
  return lines;
}

function defaultForksComparison(): string[] {
  const lines: string[] = [];
  for (const row of allRows.filter((candidate) => candidate.forks === "default")) {
    const full = allRows.find((candidate) => candidate.hosts === row.hosts && candidate.kind === row.kind && candidate.forks === row.hosts);
    if (!full) continue;
    const wall = med(row, (s) => s.seconds);
    const fullWall = med(full, (s) => s.seconds);
    const cpu = med(row, (s) => s.cpuSeconds);
    const fullCpu = med(full, (s) => s.cpuSeconds);
    lines.push(`- ${row.hosts} hosts, ${KIND_LABEL[row.kind]}: default forks (50) ${wall.toFixed(2)} s vs -f ${row.hosts} ${fullWall.toFixed(2)} s (${((100 * (wall - fullWall)) / fullWall).toFixed(0)} % wall); CPU ${cpu.toFixed(2)} vs ${fullCpu.toFixed(2)} s; peak RSS ${(Math.max(...row.samples.map((s) => s.rssKb)) / 1024).toFixed(0)} vs ${(Math.max(...full.samples.map((s) => s.rssKb)) / 1024).toFixed(0)} MB; peak connections ${Math.max(...row.samples.map((s) => s.peakConnections))} vs ${Math.max(...full.samples.map((s) => s.peakConnections))}`);
  }
  return lines;
}

function aims(): string[] {
  const lines: string[] = [];
  const sizes = [...new Set(allRows.map((row) => row.hosts))].sort((a, b) => a - b);
  for (const size of sizes) {
    const floor = floorRow(size);
    if (!floor) continue;
    const parts = (["audit", "first", "second"] as const).map((kind) => {
      const row = allRows.find((candidate) => candidate.hosts === size && candidate.kind === kind && candidate.forks === size);
      if (!row) return `${kind}: not measured`;
      const wall = med(row, (s) => s.seconds) / med(floor, (s) => s.seconds);
      const cpu = med(row, (s) => s.cpuSeconds) / med(floor, (s) => s.cpuSeconds);
      return `${KIND_LABEL[row.kind]} ${wall.toFixed(2)}× wall, ${cpu.toFixed(2)}× CPU (${wall <= 1.5 ? "within" : "not within"} 1.5× wall)`;
    });
    const fleetRss = allRows.filter((row) => row.hosts === size && row.kind !== "floor").flatMap((row) => row.samples.map((s) => s.rssKb / 1024));
    const rss = fleetRss.length === 0 ? "not measured" : `${Math.max(...fleetRss).toFixed(0)} MB${size >= 1000 ? ` (aim < 300 MB: ${Math.max(...fleetRss) < 300 ? "met" : "missed"})` : ""}`;
    lines.push(`- ${size} hosts (floor ${med(floor, (s) => s.seconds).toFixed(2)} s, ${med(floor, (s) => s.cpuSeconds).toFixed(2)} CPU-s): ${parts.join("; ")}; largest fleet peak RSS ${rss}`);
  }
  return lines;
}

function samplerCost(): string {
  const samples = allRows.flatMap((row) => row.samples);
  const cpu = samples.reduce((total, s) => total + (Number.isFinite(s.samplerCpuSeconds) ? s.samplerCpuSeconds : 0), 0);
  const count = samples.reduce((total, s) => total + s.samplerSamples, 0);
  const wall = samples.reduce((total, s) => total + s.seconds, 0);
  return `Connection sampler (bash loop: \`ss -4 -Htn state established '( dst ${FLEET_NET} and dport = :22 )'\`, then \`read -t 0.1\`): ${count} samples over ${wall.toFixed(0)} s measured (one per ${((1000 * wall) / Math.max(1, count)).toFixed(0)} ms), ${cpu.toFixed(2)} CPU-s in all = ${((1000 * cpu) / Math.max(1, count)).toFixed(1)} ms per sample, ${((100 * cpu) / Math.max(1, wall)).toFixed(1)} % of one CPU.`;
}

function report(census: Census, limitLines: string[], builtFrom: string): string {
  const command = `npx tsx bench/scale/run.ts ${process.argv.slice(2).join(" ")}`.trim();
  const profileLines: string[] = [];
  for (const profile of census.profiles) {
    try {
      profileLines.push(...describeShares(profile.label, profileShares(profile.file, ROOT)), "");
    } catch (error) {
      profileLines.push(`${profile.label}: could not read ${profile.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${machine()}.`,
    `Command: \`${command}\` (as root). dist/ built from ${builtFrom}. Audit: \`audit playbooks/baseline.yml -f N --ssh-config /dev/null${flag("with-apt") ? "" : " --skip-tags LXD-GEN-01"} --report R.json\`; run: \`run bench/run/playbook.yml -f N --ssh-config /dev/null --report R.json\`, a first run on fresh per-host directories and then a second one, both measured.`,
    "",
    ...table(),
    "",
    "Wall, CPU (user + sys) and peak RSS: GNU time of the whole process. Machine CPU: all CPUs during the process (/proc/stat, niced processes left out: other people's nice-19 background work), so the hosts' sshd, sudo and commands too. Peak connections: ESTABLISHED TCP connections to the fleet's port 22 (`ss`), sampled every ~100 ms, with the machine's memory in use beyond the start of the process (MemAvailable: fleet, the sshd sessions, sudo and the hosts' commands) and the tasks alive on the machine (/proc/loadavg, all of them: the hosts' processes, the idle listeners, everything else). stdout: what the process printed (to a file).",
    "",
    "Ratios vs the floor and the aims (within 1.5× of the floor; peak RSS < 300 MB at 1,000 hosts):",
    "",
    ...aims(),
    "",
    ...linearity(),
    ...(defaultForksComparison().length > 0 ? ["", "fleet with its default forks (no -f):", "", ...defaultForksComparison()] : []),
    "",
    "Limits checked:",
    "",
    ...limitLines.map((line) => `- ${line}`),
    "",
    samplerCost(),
    ...(notes.length > 0 ? ["", ...notes.map((note) => `- ${note}`)] : []),
    ...(profileLines.length > 0 ? ["", "Profiles (node --cpu-prof, untimed pass; a sample is charged to the innermost frame that is fleet's code or a package, so native work such as socket writes or crypto counts for the code that asked for it):", "", ...profileLines] : []),
    ...(problems.length > 0 ? ["", "Problems found (exact commands; logs in bench/.work/scale/logs):", "", "```", ...problems, "```"] : []),
  ].join("\n");
}

// ---------------------------------------------------------------- main

async function cleanUp(): Promise<void> {
  await activeFleet?.stop();
  activeFleet = undefined;
  rmSync(SUDOERS, { force: true });
  removeState();
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("run as root: the benchmark starts sshd processes, creates an account and a sudoers entry");
  const sizes = option("sizes", "200,500,1000").split(",").map(Number);
  if (sizes.some((size) => !Number.isInteger(size) || size < 1 || size > WIDE_ADDRESSES.maxSize)) throw new Error(`--sizes: whole numbers 1..${WIDE_ADDRESSES.maxSize}`);
  const runs = Number(option("runs", "1"));
  const largest = Math.max(...sizes);
  const defaultForks = option("default-forks", "largest");
  const profileSize = flag("no-profile") ? undefined : flag("profile") || largest >= 1000 ? largest : undefined;
  mkdirSync(WORK, { recursive: true });
  rmSync(LOGS, { recursive: true, force: true });
  console.error("building dist/ ...");
  try {
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  } catch {
    if (!existsSync(FLEET_MAIN)) throw new Error("the build failed and there is no dist/cli/main.js");
    console.error("build reported errors; benchmarking the emitted dist/ anyway");
  }
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  const dirty = spawnSync("git", ["status", "--porcelain", "--", "src"], { cwd: ROOT, encoding: "utf8" }).stdout.trim() !== "";
  const builtFrom = `commit ${head}${dirty ? " plus uncommitted work in src/" : ""} at ${new Date().toISOString().slice(11, 16)} UTC`;
  const limitLines = limits(largest);
  for (const line of limitLines) console.error(`limits: ${line}`);
  // the baseline uses become: the bench account may sudo without a password while this runs (as bench/baseline/run.ts)
  writeFileSync(SUDOERS, `${BENCH_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  let census: Census = { profiles: [] };
  try {
    for (const hosts of sizes) {
      if (stopping) break;
      const outcome = await measureSize(hosts, runs, { defaultForks: defaultForks === "all" || (defaultForks === "largest" && hosts === largest), profile: hosts === profileSize });
      if (outcome.profiles.length > 0) census = outcome;
    }
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
  } finally {
    await cleanUp();
  }
  if (stopping) {
    notes.push("interrupted (Ctrl-C or SIGTERM): the figures above are the ones measured before");
    process.exitCode = 130;
  }
  const text = report(census, limitLines, builtFrom);
  writeFileSync(path.join(WORK, "results.md"), `${text}\n`);
  console.log(`\n${text}`);
  if (problems.length > 0 && process.exitCode === undefined) process.exitCode = 2;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: stopping; the sshd processes and the sudoers entry are removed once the running process ends`);
    // the measured process runs in its own process group: pass the interrupt on (fleet settles and exits), then make sure
    signalMeasured("SIGINT");
    setTimeout(() => signalMeasured("SIGKILL"), 15_000).unref();
    setTimeout(() => void cleanUp().finally(() => process.exit(130)), 20_000).unref();
  });
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  await cleanUp();
  process.exitCode = 1;
});
