/**
 * Benchmark of `fleet run` with a 10-task playbook (bench/run/playbook.yml: file modes, copy,
 * lineinfile, read-only commands) on loopback fleets of plain sshd hosts, side by side with the
 * raw ssh2 floor of bench/exec (one connection + one exec of `true` per host, all at once) and
 * the same work in `ansible-playbook` (bench/run/ansible-playbook.yml; forks 50, pipelining,
 * ControlPersist). Every tool runs as a whole process under /usr/bin/time (wall, CPU, peak RSS):
 * a first run on a fresh state, a second run (must change nothing), and check mode after a drift
 * introduced on every host (one file's mode: must find exactly that).
 *
 *   npx tsx bench/run/run.ts [--sizes 50,200] [--runs 3] [--ansible-200] [--no-ansible] [--profile] [--quiet-wait 600]
 *
 * Needs root (starts sshd processes; bench/exec's loopback fleet creates the `fleetbench`
 * account). Builds dist/ first; without a working `fleet run` (or without the modules the
 * playbook names) it measures the rest and says why. Every host works under its own directory
 * /tmp/fleet-bench-run/<host> (inventory var `root`); the benchmark writes nothing else outside
 * bench/.work/run. Each timed run first waits (up to --quiet-wait seconds) for the machine to be
 * quiet. After the timed runs, an untimed census pass counts connections, execs and bytes per
 * host (count-execs.mjs), captures one host's scripts (dump-scripts.mjs, timed alone by
 * script-cost.ts) and, with --profile or when an aim is missed, profiles fleet (--cpu-prof).
 * Stops every sshd and every ssh ControlPersist master it started, also on Ctrl-C or failure.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_USER, type LoopbackFleet, startLoopbackFleet } from "../exec/loopback-fleet.js";
import { summariseProfiles } from "./profile-summary.js";
import { scriptShapes, timeScript, withoutRepeats } from "./script-cost.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORK = path.join(ROOT, "bench", ".work", "run");
const LOGS = path.join(WORK, "logs");
/** The hosts' files. Fixed, so that resetting it can never touch anything else. */
const BASE = "/tmp/fleet-bench-run";
const ANSIBLE_TMP = path.join(BASE, ".ansible-tmp");
const CONTROL_DIR = path.join(WORK, "cp");
const FLEET_MAIN = path.join(ROOT, "dist", "cli", "main.js");
const FLEET_PLAYBOOK = path.join(ROOT, "bench", "run", "playbook.yml");
const ANSIBLE_PLAYBOOK = path.join(ROOT, "bench", "run", "ansible-playbook.yml");
const ANSIBLE = "/usr/bin/ansible-playbook";
const MODULES_NEEDED = ["file", "copy", "lineinfile", "command"];
const TIMEOUT_MS = 20 * 60_000;

/** Tasks the playbook changes on a fresh host, and the one task the drift breaks. */
const FIRST_RUN_CHANGES = 8;
const TASKS = 10;
const DRIFT_TASK = "motd mode";

type Phase = "floor" | "first" | "second" | "check";
const PHASE_LABEL: Record<Phase, string> = { floor: "1 conn + 1 exec of true", first: "first run", second: "second run", check: "check after drift" };

interface Measurement {
  tool: string;
  phase: Phase;
  hosts: number;
  seconds: number[];
  cpuSeconds: number[];
  sysSeconds: number[];
  machineCpuSeconds: number[];
  forks: number[];
  /** Runs started while the machine was busy with other work. */
  noisyRuns: number;
  peakRssMb: number;
  /** Problems found in this measurement's runs (wrong counts, errors): reported, never hidden. */
  problems: string[];
  /** Connections and channels per host, from the untimed census run. */
  perHost?: { connect: number; exec: number; sftp: number; shell: number; bytesUp: number; bytesDown: number; hostsSeen: number };
}

interface Timed {
  seconds: number;
  cpuSeconds: number;
  sysSeconds: number;
  rssKb: number;
  code: number;
  stdout: string;
  stderr: string;
  commandLine: string;
  /** CPU seconds of the whole machine during the run (the tool, the sshd hosts and their commands, anything else). */
  machineCpuSeconds: number;
  /** Processes started on the machine during the run (/proc/stat processes). */
  forks: number;
  /** Busy share of the machine just before the run (other work). */
  busyBefore: number;
}

const problems: string[] = [];
let stopping = false;
let activeFleet: LoopbackFleet | undefined;

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);

/** Machine-wide CPU (jiffies busy and total) and the fork count since boot, from /proc/stat. */
function machineSample(): { busy: number; total: number; forks: number } {
  const text = readFileSync("/proc/stat", "utf8");
  const cpu = (/^cpu\s+(.*)$/m.exec(text)?.[1] ?? "").trim().split(/\s+/).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total, forks: Number(/^processes\s+(\d+)/m.exec(text)?.[1] ?? NaN) };
}

const CLOCK_TICKS = 100;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Other people's work on this machine (tests, builds) distorts a timing: waits until the CPUs
 * are mostly idle over a 2 s window, for at most --quiet-wait seconds. Returns the busy share
 * seen last (0..1).
 */
async function waitForQuiet(label: string): Promise<number> {
  const deadline = Date.now() + Number(option("quiet-wait", "600")) * 1000;
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

/** Busy share of all CPUs over 2 s above which a machine is not quiet enough to time on. */
const QUIET_BUSY = 0.15;

/**
 * Runs a command under GNU time with stdout and stderr going to files (no pipe back-pressure on
 * the measured process); returns wall and CPU seconds and the peak RSS of the largest process.
 */
async function timed(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  mkdirSync(LOGS, { recursive: true });
  const busyBefore = await waitForQuiet(label);
  const report = path.join(WORK, "time.out");
  const outFile = path.join(LOGS, `${label}.out`);
  const errFile = path.join(LOGS, `${label}.err`);
  const envWords = Object.entries(env).map(([key, value]) => `${key}=${shellWord(value ?? "")}`);
  const commandLine = [...envWords, command, ...args].map((word, index) => (index < envWords.length ? word : shellWord(word))).join(" ");
  const out = openSync(outFile, "w");
  const err = openSync(errFile, "w");
  const start = machineSample();
  return new Promise((resolve) => {
    const child = spawn("/usr/bin/time", ["-f", "%e %M %U %S", "-o", report, command, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", out, err],
    });
    const timer = setTimeout(() => {
      console.error(`   ${label}: still running after ${TIMEOUT_MS / 60_000} min, stopping it (pid ${child.pid})`);
      if (child.pid !== undefined) process.kill(child.pid, "SIGTERM");
    }, TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      const end = machineSample();
      closeSync(out);
      closeSync(err);
      const lastLine = existsSync(report) ? (readFileSync(report, "utf8").trim().split("\n").at(-1) ?? "") : "";
      const [seconds, rss, user, system] = lastLine.split(" ").map(Number);
      rmSync(report, { force: true });
      resolve({
        seconds: seconds ?? NaN,
        rssKb: rss ?? NaN,
        cpuSeconds: (user ?? NaN) + (system ?? NaN),
        sysSeconds: system ?? NaN,
        code: code ?? -1,
        stdout: readFileSync(outFile, "utf8"),
        stderr: readFileSync(errFile, "utf8"),
        commandLine,
        machineCpuSeconds: (end.busy - start.busy) / CLOCK_TICKS,
        forks: end.forks - start.forks,
        busyBefore,
      });
    });
  });
}

// ---------------------------------------------------------------- the hosts' state

function benchAccount(): { uid: number; gid: number } {
  return { uid: Number(execFileSync("id", ["-u", BENCH_USER], { encoding: "utf8" })), gid: Number(execFileSync("id", ["-g", BENCH_USER], { encoding: "utf8" })) };
}

const hostNames = (hosts: number): string[] => Array.from({ length: hosts }, (_, index) => `b${index + 1}`);
const hostRoot = (host: string): string => path.join(BASE, host);

/** A fresh state: an empty directory per host (owned by the bench account), nothing else. */
function resetState(hosts: number): void {
  if (BASE !== "/tmp/fleet-bench-run") throw new Error("refusing to reset an unexpected directory");
  rmSync(BASE, { recursive: true, force: true });
  mkdirSync(BASE, { mode: 0o755 });
  chmodSync(BASE, 0o755);
  const { uid, gid } = benchAccount();
  for (const directory of [...hostNames(hosts).map(hostRoot), ANSIBLE_TMP]) {
    mkdirSync(directory);
    chmodSync(directory, directory === ANSIBLE_TMP ? 0o700 : 0o755);
    chownSync(directory, uid, gid);
  }
}

/** The drift check mode must find: one file's mode, on every host. */
function drift(hosts: number): void {
  for (const host of hostNames(hosts)) chmodSync(path.join(hostRoot(host), "motd"), 0o644);
}

/** What the playbook leaves on a host: path → type, mode, content digest. */
function fingerprint(host: string): string {
  const lines: string[] = [];
  const walk = (relative: string): void => {
    const full = path.join(hostRoot(host), relative);
    const stat = lstatSync(full);
    const mode = (stat.mode & 0o7777).toString(8).padStart(4, "0");
    if (stat.isDirectory()) {
      lines.push(`${relative || "."} dir ${mode}`);
      for (const name of readdirSync(full).sort()) walk(path.join(relative, name));
    } else if (stat.isFile()) {
      lines.push(`${relative} file ${mode} ${createHash("sha256").update(readFileSync(full)).digest("hex").slice(0, 16)}`);
    } else lines.push(`${relative} other ${mode}`);
  };
  walk("");
  return lines.join("\n");
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16);
/** The state both playbooks must converge to (umask 022 for the directory mkdir makes). */
const EXPECTED_STATE = [
  ". dir 0750",
  "etc dir 0755",
  `etc/app.conf file 0644 ${sha("# managed by the fleet benchmark\nlisten = 127.0.0.1:8080\nworkers = 4\n")}`,
  `etc/limits.conf file 0640 ${sha("* soft nofile 65536\n* hard nofile 65536\n")}`,
  `etc/sshd_config file 0600 ${sha("PermitRootLogin no\nMaxAuthTries 3\n")}`,
  `motd file 0600 ${sha("Authorized use only.\n")}`,
].join("\n");

/** Hosts whose files are not what the playbook describes (motd 0644 where a drift is expected). */
function stateProblems(hosts: number, drifted: boolean): string[] {
  const expected = drifted ? EXPECTED_STATE.replace(/^motd file 0600/m, "motd file 0644") : EXPECTED_STATE;
  const wrong: string[] = [];
  for (const host of hostNames(hosts)) {
    let actual: string;
    try {
      actual = fingerprint(host);
    } catch (error) {
      actual = `unreadable: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (actual !== expected) wrong.push(`${host}:\n${actual}`);
  }
  if (wrong.length === 0) return [];
  return [`${wrong.length} of ${hosts} hosts do not hold the expected files${drifted ? " (after the drift)" : ""}; expected:\n${EXPECTED_STATE}\nfirst one found:\n${wrong[0]}`];
}

// ---------------------------------------------------------------- inventories and configs

function fleetInventory(fleet: LoopbackFleet): string {
  const file = path.join(fleet.dir, "inventory.yml");
  const hosts = fleet.addresses.map((address, index) => `    b${index + 1}: { ansible_host: ${address}, root: ${hostRoot(`b${index + 1}`)} }`).join("\n");
  writeFileSync(file, `all:\n  vars:\n    ansible_user: ${BENCH_USER}\n    ansible_port: 22\n    ansible_ssh_private_key_file: ${fleet.clientKey}\n    fleet_known_hosts: ${fleet.knownHosts}\n  hosts:\n${hosts}\n`);
  return file;
}

function ansibleInventory(fleet: LoopbackFleet): string {
  const file = path.join(fleet.dir, "inventory.ini");
  const hosts = fleet.addresses.map((address, index) => `b${index + 1} ansible_host=${address} root=${hostRoot(`b${index + 1}`)}`).join("\n");
  const sshArgs = `-o UserKnownHostsFile=${fleet.knownHosts} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`;
  writeFileSync(file, `${hosts}\n\n[all:vars]\nansible_user=${BENCH_USER}\nansible_ssh_private_key_file=${fleet.clientKey}\nansible_ssh_common_args='${sshArgs}'\nansible_python_interpreter=/usr/bin/python3\n`);
  return file;
}

function ansibleConfig(): string {
  const file = path.join(WORK, "ansible.cfg");
  mkdirSync(CONTROL_DIR, { recursive: true, mode: 0o700 });
  writeFileSync(
    file,
    [
      "# written by bench/run/run.ts",
      "[defaults]",
      "forks = 50",
      "host_key_checking = True",
      "interpreter_python = /usr/bin/python3",
      `remote_tmp = ${ANSIBLE_TMP}`,
      `local_tmp = ${path.join(WORK, "ansible-local-tmp")}`,
      "retry_files_enabled = False",
      "deprecation_warnings = False",
      "gathering = explicit",
      "stdout_callback = default",
      "",
      "[ssh_connection]",
      "pipelining = True",
      // Ansible's default ssh_args without -C (compression only costs CPU on loopback)
      "ssh_args = -o ControlMaster=auto -o ControlPersist=60s",
      // the loopback sshd have no sftp subsystem: without this, every copy tries sftp and scp first
      "transfer_method = piped",
      `control_path_dir = ${CONTROL_DIR}`,
      "control_path = %(directory)s/%%C",
      "",
    ].join("\n"),
  );
  return file;
}

/** Asks every ControlPersist master the Ansible runs left to exit (ssh -O exit on its socket). */
function stopControlMasters(): void {
  if (!existsSync(CONTROL_DIR)) return;
  for (const socket of readdirSync(CONTROL_DIR)) {
    spawnSync("ssh", ["-F", "/dev/null", "-o", `ControlPath=${path.join(CONTROL_DIR, socket)}`, "-O", "exit", "bench-master"], { stdio: "ignore", timeout: 10_000 });
    rmSync(path.join(CONTROL_DIR, socket), { force: true });
  }
}

// ---------------------------------------------------------------- fleet: readiness and reports

/** `fleet run` exists and the registry names every module the playbook uses. */
function fleetReady(): { ready: boolean; why: string } {
  const help = spawnSync(process.execPath, [FLEET_MAIN, "run", "--help"], { cwd: ROOT, encoding: "utf8" });
  if (help.status !== 0) return { ready: false, why: `node dist/cli/main.js run --help exited ${help.status}: ${(help.stderr || help.stdout).trim().split("\n").slice(-3).join(" / ")}` };
  const probe = spawnSync(process.execPath, ["--input-type=module", "-e", `import { builtinModules } from ${JSON.stringify(path.join(ROOT, "dist", "modules", "registry.js"))}; console.log([...builtinModules().keys()].join(","));`], { encoding: "utf8" });
  const names = probe.stdout.trim().split(",").filter(Boolean);
  const missing = MODULES_NEEDED.filter((name) => !names.includes(name));
  if (probe.status !== 0 || missing.length > 0) return { ready: false, why: `the module registry (dist/modules/registry.js) lacks ${missing.join(", ") || "?"} (has: ${names.join(", ") || "none"})` };
  return { ready: true, why: "" };
}

interface FleetReportLike {
  summary: { hosts: number; unreachable: number; changed: number; failed: number; tasks: Record<string, number> };
  hosts: Array<{ name: string; status: string; error: string | null; execs?: number; tasks: Array<{ name: string; status: string; message: string }> }>;
}

/** What a fleet phase must report; returns the problems found. */
function checkFleetReport(phase: Phase, hosts: number, reportFile: string, outcome: Timed): string[] {
  const found: string[] = [];
  const expectedExit = 0;
  if (outcome.code !== expectedExit) found.push(`exit ${outcome.code} (expected ${expectedExit})`);
  let report: FleetReportLike;
  try {
    report = JSON.parse(readFileSync(reportFile, "utf8")) as FleetReportLike;
  } catch (error) {
    return [...found, `no JSON report in ${reportFile}: ${error instanceof Error ? error.message : String(error)}`];
  }
  const { summary } = report;
  const tasks = summary.tasks;
  const want: Record<string, number> =
    phase === "first" ? { changed: FIRST_RUN_CHANGES * hosts, ok: (TASKS - FIRST_RUN_CHANGES) * hosts } : phase === "second" ? { changed: 0, ok: TASKS * hosts } : { changed: hosts, ok: (TASKS - 1) * hosts };
  want["failed"] = 0;
  want["skipped"] = 0;
  for (const [status, count] of Object.entries(want)) {
    if ((tasks[status] ?? 0) !== count) found.push(`summary.tasks.${status} = ${tasks[status] ?? 0}, expected ${count}`);
  }
  if (summary.hosts !== hosts) found.push(`summary.hosts = ${summary.hosts}, expected ${hosts}`);
  if (summary.unreachable !== 0) found.push(`summary.unreachable = ${summary.unreachable}`);
  if (phase === "check") {
    const wrong = report.hosts.filter((host) => {
      const changed = host.tasks.filter((task) => task.status === "changed").map((task) => task.name);
      return changed.length !== 1 || changed[0] !== DRIFT_TASK;
    });
    if (wrong.length > 0) found.push(`${wrong.length} hosts do not report exactly "${DRIFT_TASK}" as the one change, e.g. ${wrong[0]?.name}: ${JSON.stringify(wrong[0]?.tasks.filter((task) => task.status !== "ok"))}`);
  }
  const sample = report.hosts.find((host) => host.status === "failed" || host.status === "unreachable" || host.tasks.some((task) => task.status === "failed" || task.status === "skipped"));
  if (sample) found.push(`e.g. ${sample.name} (${sample.status}${sample.error ? `: ${sample.error}` : ""}): ${sample.tasks.filter((task) => task.status === "failed" || task.status === "skipped").map((task) => `${task.name} ${task.status}: ${task.message}`).join("; ")}`);
  return found;
}

/** ansible-playbook's PLAY RECAP, per host. */
function ansibleRecap(stdout: string): Map<string, Record<string, number>> {
  const recap = new Map<string, Record<string, number>>();
  const start = stdout.indexOf("PLAY RECAP");
  if (start < 0) return recap;
  for (const line of stdout.slice(start).split("\n").slice(1)) {
    const match = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    const counts: Record<string, number> = {};
    for (const pair of (match[2] ?? "").trim().split(/\s+/)) {
      const [key, value] = pair.split("=");
      if (key !== undefined && value !== undefined) counts[key] = Number(value);
    }
    recap.set(match[1] ?? "", counts);
  }
  return recap;
}

function checkAnsibleRecap(phase: Phase, hosts: number, outcome: Timed): string[] {
  const found: string[] = [];
  if (outcome.code !== 0) found.push(`exit ${outcome.code}`);
  const recap = ansibleRecap(outcome.stdout);
  if (recap.size !== hosts) found.push(`PLAY RECAP lists ${recap.size} hosts, expected ${hosts}`);
  const changed = phase === "first" ? FIRST_RUN_CHANGES : phase === "second" ? 0 : 1;
  const wrong = [...recap].filter(([, counts]) => counts["changed"] !== changed || counts["ok"] !== TASKS || counts["failed"] !== 0 || counts["unreachable"] !== 0);
  if (wrong.length > 0) found.push(`${wrong.length} hosts differ from ok=${TASKS} changed=${changed} failed=0, e.g. ${wrong[0]?.[0]}: ${JSON.stringify(wrong[0]?.[1])}`);
  return found;
}

// ---------------------------------------------------------------- measuring

function record(measurements: Measurement[], tool: string, phase: Phase, hosts: number, outcome: Timed, found: string[]): void {
  let measurement = measurements.find((m) => m.tool === tool && m.phase === phase && m.hosts === hosts);
  if (measurement === undefined) {
    measurement = { tool, phase, hosts, seconds: [], cpuSeconds: [], sysSeconds: [], machineCpuSeconds: [], forks: [], noisyRuns: 0, peakRssMb: 0, problems: [] };
    measurements.push(measurement);
  }
  measurement.seconds.push(outcome.seconds);
  measurement.cpuSeconds.push(outcome.cpuSeconds);
  measurement.sysSeconds.push(outcome.sysSeconds);
  measurement.machineCpuSeconds.push(outcome.machineCpuSeconds);
  measurement.forks.push(outcome.forks);
  if (outcome.busyBefore > QUIET_BUSY) measurement.noisyRuns += 1;
  measurement.peakRssMb = Math.max(measurement.peakRssMb, outcome.rssKb / 1024);
  const line = `   ${tool}, ${PHASE_LABEL[phase]}: ${outcome.seconds.toFixed(2)} s wall, ${outcome.cpuSeconds.toFixed(2)} s CPU (machine ${outcome.machineCpuSeconds.toFixed(2)} s, ${outcome.forks} processes started), peak RSS ${(outcome.rssKb / 1024).toFixed(0)} MB${outcome.busyBefore > QUIET_BUSY ? ` [machine ${(outcome.busyBefore * 100).toFixed(0)}% busy before]` : ""}`;
  console.error(found.length === 0 ? line : `${line}  PROBLEM`);
  if (found.length > 0) {
    const text = `${hosts} hosts, ${tool}, ${PHASE_LABEL[phase]}:\n  $ ${outcome.commandLine}\n  exit ${outcome.code}\n  ${found.join("\n  ")}\n  stderr (last lines):\n${indent(outcome.stderr.trim().split("\n").slice(-8).join("\n"))}\n  stdout (last lines):\n${indent(outcome.stdout.trim().split("\n").slice(-8).join("\n"))}`;
    measurement.problems.push(text);
    problems.push(text);
    console.error(indent(found.join("\n")));
  }
}

const indent = (text: string): string => text.split("\n").map((line) => `    ${line}`).join("\n");

function fleetArgs(phase: Exclude<Phase, "floor">, inventory: string, forks: number, reportFile: string): string[] {
  return [FLEET_MAIN, "run", FLEET_PLAYBOOK, "-i", inventory, "-f", String(forks), "--ssh-config", "/dev/null", "--report", reportFile, ...(phase === "check" ? ["--check"] : [])];
}

/** One pass of fleet over a fresh state: first run, second run, drift, check. */
async function fleetPass(measurements: Measurement[], fleet: LoopbackFleet, inventory: string, forks: number, tool: string, run: number): Promise<void> {
  const hosts = fleet.addresses.length;
  resetState(hosts);
  for (const phase of ["first", "second", "check"] as const) {
    if (stopping) return;
    if (phase === "check") drift(hosts);
    const label = `${hosts}-fleet-f${forks}-${phase}-r${run}`;
    const reportFile = path.join(LOGS, `${label}.json`);
    rmSync(reportFile, { force: true });
    const outcome = await timed(label, process.execPath, fleetArgs(phase, inventory, forks, reportFile));
    const found = [...checkFleetReport(phase, hosts, reportFile, outcome), ...stateProblems(hosts, phase === "check")];
    record(measurements, tool, phase, hosts, outcome, found);
  }
}

/**
 * Untimed: the same pass with ssh2's Client wrapped from outside (count-execs.mjs), to count
 * connections and execs per host; with --profile (or when an aim is missed) also under
 * --cpu-prof, to see where a fleet process spends its time.
 */
async function fleetCensus(measurements: Measurement[], fleet: LoopbackFleet, inventory: string, tool: string, profile: boolean, notes: string[]): Promise<string[]> {
  const hosts = fleet.addresses.length;
  const profileDirs: string[] = [];
  const dumps = path.join(WORK, "scripts", String(hosts));
  rmSync(dumps, { recursive: true, force: true });
  resetState(hosts);
  for (const phase of ["first", "second", "check"] as const) {
    if (stopping) break;
    if (phase === "check") drift(hosts);
    const label = `${hosts}-fleet-census-${phase}`;
    const countFile = path.join(LOGS, `${label}.counts.json`);
    const reportFile = path.join(LOGS, `${label}.json`);
    const profileDir = path.join(WORK, "profiles", `${hosts}-${phase}`);
    rmSync(profileDir, { recursive: true, force: true });
    const nodeFlags = ["--import", path.join(ROOT, "bench", "run", "count-execs.mjs"), "--import", path.join(ROOT, "bench", "run", "dump-scripts.mjs"), ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])];
    const outcome = await timed(label, process.execPath, [...nodeFlags, ...fleetArgs(phase, inventory, hosts, reportFile)], { FLEET_BENCH_EXEC_COUNT: countFile, FLEET_BENCH_DUMP_DIR: path.join(dumps, phase) });
    const found = checkFleetReport(phase, hosts, reportFile, outcome);
    if (found.length > 0) console.error(`   census ${phase}: ${found.join("; ")}`);
    if (profile) profileDirs.push(profileDir);
    const measurement = measurements.find((m) => m.tool === tool && m.phase === phase && m.hosts === hosts);
    if (measurement === undefined || !existsSync(countFile)) continue;
    type Counts = { connect: number; exec: number; sftp: number; shell: number; bytesUp: number; bytesDown: number };
    const counts = Object.values(JSON.parse(readFileSync(countFile, "utf8")) as Record<string, Counts>);
    const average = (key: keyof Counts): number => counts.reduce((sum, count) => sum + count[key], 0) / Math.max(1, counts.length);
    measurement.perHost = { connect: average("connect"), exec: average("exec"), sftp: average("sftp"), shell: average("shell"), bytesUp: average("bytesUp"), bytesDown: average("bytesDown"), hostsSeen: counts.length };
    let reportExecs = "";
    try {
      const report = JSON.parse(readFileSync(reportFile, "utf8")) as FleetReportLike;
      const execs = report.hosts.map((host) => host.execs).filter((value): value is number => typeof value === "number");
      reportExecs = execs.length > 0 ? `, report says ${execs.reduce((a, b) => a + b, 0) / execs.length} execs/host` : ", the JSON report has no per-host execs";
    } catch {
      // the census report is only a cross-check
    }
    const shapes = scriptShapes(path.join(dumps, phase));
    notes.push(`${hosts} hosts, fleet ${PHASE_LABEL[phase]}, the scripts of one host: ${shapes.map((shape) => `exec ${Number(shape.file.slice(0, 2))} \`${shape.command}\` ${(shape.bytes / 1024).toFixed(1)} KB, ${shape.sections} sections (${shape.distinct} distinct)`).join("; ")}`);
    console.error(`   census ${PHASE_LABEL[phase]}: ${measurement.perHost.connect.toFixed(2)} connections, ${measurement.perHost.exec.toFixed(2)} execs, ${measurement.perHost.sftp.toFixed(2)} sftp per host, ${(measurement.perHost.bytesUp / 1024).toFixed(1)} KB sent and ${(measurement.perHost.bytesDown / 1024).toFixed(1)} KB received on channels per host (${counts.length} hosts seen)${reportExecs}`);
  }
  // the gather every run starts with, run alone on this machine as the hosts run it
  const gather = path.join(dumps, "second", "01.sh");
  if (existsSync(gather) && !stopping) {
    const script = readFileSync(gather, "utf8");
    const runs = 100;
    await waitForQuiet("gather script cost");
    const asSent = timeScript(script, BENCH_USER, runs, path.join(WORK, "gather"));
    const once = timeScript(withoutRepeats(script), BENCH_USER, runs, path.join(WORK, "gather"));
    const describe = (cost: typeof asSent): string => `${cost.msWall.toFixed(0)} ms wall, ${cost.msCpu.toFixed(0)} ms CPU, ${cost.processes.toFixed(0)} processes`;
    const text = `${hosts} hosts: one host's gather script (second run), \`sh -s\` as ${BENCH_USER}, ${runs} times in a row: as sent ${describe(asSent)} per run; with each repeated probe left out ${describe(once)}. × ${hosts} hosts on 2 vCPUs: about ${((asSent.msCpu * hosts) / 2000).toFixed(1)} s of wall as sent, ${((once.msCpu * hosts) / 2000).toFixed(1)} s without repeats`;
    console.error(`   ${text}`);
    notes.push(text);
  }
  return profileDirs;
}

async function ansiblePass(measurements: Measurement[], fleet: LoopbackFleet, notes: string[]): Promise<void> {
  const hosts = fleet.addresses.length;
  const inventory = ansibleInventory(fleet);
  const env = { ANSIBLE_CONFIG: ansibleConfig() };
  const tool = "ansible-playbook (forks 50, pipelining, ControlPersist)";
  stopControlMasters();
  resetState(hosts);
  try {
    for (const phase of ["first", "second", "check"] as const) {
      if (stopping) return;
      if (phase === "check") drift(hosts);
      const label = `${hosts}-ansible-${phase}`;
      const outcome = await timed(label, ANSIBLE, ["-i", inventory, ANSIBLE_PLAYBOOK, ...(phase === "check" ? ["--check"] : [])], env);
      const found = [...checkAnsibleRecap(phase, hosts, outcome), ...stateProblems(hosts, phase === "check")];
      // Ansible's problems are findings about the comparison, not about fleet
      record(measurements, tool, phase, hosts, outcome, found);
      const masters = existsSync(CONTROL_DIR) ? readdirSync(CONTROL_DIR).length : 0;
      if (phase === "check") notes.push(`${hosts} hosts: ansible-playbook left ${masters} ControlPersist masters (sockets in bench/.work/run/cp) running for its next run; stopped after the check`);
    }
  } finally {
    stopControlMasters();
  }
}

async function floorRuns(measurements: Measurement[], fleet: LoopbackFleet, runs: number): Promise<void> {
  const spec = path.join(fleet.dir, "raw.json");
  const hostKey = readFileSync(path.join(fleet.dir, "ssh_host_ed25519_key.pub"), "utf8").split(/\s+/)[1];
  writeFileSync(spec, JSON.stringify({ user: BENCH_USER, key: fleet.clientKey, hostKey, addresses: fleet.addresses }));
  for (let run = 0; run < runs && !stopping; run++) {
    const outcome = await timed(`${fleet.addresses.length}-floor-r${run}`, process.execPath, [path.join(ROOT, "bench", "exec", "raw-ssh2.mjs"), spec]);
    record(measurements, FLOOR_TOOL, "floor", fleet.addresses.length, outcome, outcome.code === 0 ? [] : [`exit ${outcome.code}`]);
  }
}

const FLOOR_TOOL = "raw ssh2 floor (bench/exec/raw-ssh2.mjs)";
const fleetTool = (forks: number): string => `fleet run -f ${forks}`;

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

interface SizeOutcome {
  measurements: Measurement[];
  notes: string[];
  profileDirs: string[];
}

async function measureSize(hosts: number, runs: number, settings: { ansible: boolean; fleet: boolean; profile: boolean }): Promise<SizeOutcome> {
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  let profileDirs: string[] = [];
  // another sshd on 127.0.3.x (an exec benchmark running now) would answer with another host key
  for (const address of ["127.0.3.1", `127.0.3.${hosts}`]) {
    if (await listening(address)) throw new Error(`${address}:22 is already taken (is bench/exec running?); stop it first`);
  }
  console.error(`\n== ${hosts} hosts: starting sshd on 127.0.3.1..${hosts}`);
  const fleet = await startLoopbackFleet(hosts, WORK);
  activeFleet = fleet;
  try {
    await floorRuns(measurements, fleet, runs);
    if (settings.fleet) {
      const inventory = fleetInventory(fleet);
      const variants = hosts > 50 ? [hosts, 50] : [hosts];
      for (const forks of variants) {
        for (let run = 0; run < runs && !stopping; run++) await fleetPass(measurements, fleet, inventory, forks, fleetTool(forks), run);
      }
      if (!stopping) profileDirs = await fleetCensus(measurements, fleet, inventory, fleetTool(hosts), settings.profile || missesAims(measurements, hosts), notes);
    } else notes.push(`${hosts} hosts: fleet not measured (${fleetStatus.why})`);
    if (settings.ansible && !stopping) await ansiblePass(measurements, fleet, notes);
    else if (!settings.ansible) notes.push(`${hosts} hosts: ansible-playbook not run${hosts > 50 ? " (it takes minutes here: pass --ansible-200 to include it)" : " (--no-ansible)"}`);
  } finally {
    stopControlMasters();
    await fleet.stop();
    activeFleet = undefined;
  }
  return { measurements, notes, profileDirs };
}

// ---------------------------------------------------------------- the report

const AIMS: Partial<Record<Phase, number>> = { first: 3, check: 1.5 };

function floorOf(all: Measurement[], hosts: number): number {
  const floor = all.find((m) => m.hosts === hosts && m.phase === "floor");
  return floor ? median(floor.seconds) : NaN;
}

function missesAims(all: Measurement[], hosts: number): boolean {
  const floor = floorOf(all, hosts);
  return all.some((m) => m.hosts === hosts && m.tool === fleetTool(hosts) && AIMS[m.phase] !== undefined && median(m.seconds) / floor > (AIMS[m.phase] ?? Infinity));
}

function table(all: Measurement[]): string {
  const header = [
    "| hosts | tool | phase | runs | wall s (median) | × floor | tool CPU s (of it system) | machine CPU s | processes started | peak RSS MB | per host: conns / execs / KB sent / KB received |",
    "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  const rows = all.map((m) => {
    const ratio = median(m.seconds) / floorOf(all, m.hosts);
    const aim = AIMS[m.phase];
    const aimNote = m.tool === fleetTool(m.hosts) && aim !== undefined ? (ratio <= aim ? ` (aim ≤ ${aim}: met)` : ` (aim ≤ ${aim}: missed)`) : "";
    const perHost = m.perHost
      ? `${m.perHost.connect.toFixed(1)} / ${m.perHost.exec.toFixed(1)}${m.perHost.sftp + m.perHost.shell > 0 ? ` (+${(m.perHost.sftp + m.perHost.shell).toFixed(1)} sftp/shell)` : ""} / ${(m.perHost.bytesUp / 1024).toFixed(1)} / ${(m.perHost.bytesDown / 1024).toFixed(1)}`
      : m.phase === "floor" ? "1 / 1 / 0 / 0" : "";
    const flagged = `${m.problems.length > 0 ? " **(problems, see below)**" : ""}${m.noisyRuns > 0 ? ` (${m.noisyRuns} run${m.noisyRuns === 1 ? "" : "s"} on a busy machine)` : ""}`;
    return `| ${m.hosts} | ${m.tool}${flagged} | ${PHASE_LABEL[m.phase]} | ${m.seconds.length} | ${median(m.seconds).toFixed(2)} | ${m.phase === "floor" ? "1" : ratio.toFixed(1)}${aimNote} | ${median(m.cpuSeconds).toFixed(2)} (${median(m.sysSeconds).toFixed(2)}) | ${median(m.machineCpuSeconds).toFixed(2)} | ${median(m.forks)} | ${m.peakRssMb.toFixed(0)} | ${perHost} |`;
  });
  return [...header, ...rows].join("\n");
}

function ratios(all: Measurement[]): string[] {
  const lines: string[] = [];
  for (const hosts of [...new Set(all.map((m) => m.hosts))].sort((a, b) => a - b)) {
    const phases = ["first", "second", "check"] as const;
    const pick = (tool: string, phase: Phase): number => {
      const m = all.find((candidate) => candidate.hosts === hosts && candidate.tool === tool && candidate.phase === phase);
      return m ? median(m.seconds) : NaN;
    };
    const ansibleTool = all.find((m) => m.hosts === hosts && m.tool.startsWith("ansible"))?.tool;
    const parts = phases.map((phase) => {
      const fleet = pick(fleetTool(hosts), phase);
      const ansible = ansibleTool ? pick(ansibleTool, phase) : NaN;
      const fleetPart = Number.isNaN(fleet) ? "fleet not measured" : `fleet ${(fleet / floorOf(all, hosts)).toFixed(1)}× floor`;
      const ansiblePart = Number.isNaN(ansible) ? "" : `, Ansible ${(ansible / floorOf(all, hosts)).toFixed(0)}× floor${Number.isNaN(fleet) ? "" : `, Ansible/fleet ${(ansible / fleet).toFixed(0)}×`}`;
      return `${PHASE_LABEL[phase]}: ${fleetPart}${ansiblePart}`;
    });
    lines.push(`- ${hosts} hosts (floor ${floorOf(all, hosts).toFixed(2)} s): ${parts.join("; ")}`);
  }
  return lines;
}

function machine(): string {
  const cpus = readFileSync("/proc/cpuinfo", "utf8").split("\n").filter((line) => line.startsWith("model name"));
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? NaN);
  const ansible = spawnSync(ANSIBLE, ["--version"], { encoding: "utf8" }).stdout?.split("\n")[0] ?? "not installed";
  const ssh = spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr.trim();
  return `${cpus.length} vCPU (${cpus[0]?.split(":")[1]?.trim() ?? "?"}), ${(memKb / 1024 / 1024).toFixed(0)} GB RAM, Linux ${spawnSync("uname", ["-r"], { encoding: "utf8" }).stdout.trim()}, Node ${process.version}, ${ansible.trim()}, ${ssh}`;
}

function report(all: Measurement[], notes: string[], profileText: string): string {
  const command = `npx tsx bench/run/run.ts ${process.argv.slice(2).join(" ")}`.trim();
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
    `Command: \`${command}\` (as root). dist/ built from ${builtFrom}.`,
    "",
    table(all),
    "",
    "Wall, tool CPU (user + system, the process and its children) and peak RSS are of the whole process under /usr/bin/time; peak RSS is that of the largest single process (GNU time), so for ansible-playbook it is one fork, not the sum of its workers and ssh processes. The sshd hosts share the same 2 vCPUs: machine CPU s (all CPUs, /proc/stat) and processes started (/proc/stat forks) over the run show what the hosts' side costs too: sshd, the remote shells and every program they start. Each timed run waits first for the machine to be quiet (other work under 15% of the CPUs over 2 s). Per-host connections and execs: an untimed extra fleet pass with ssh2's Client wrapped from outside (bench/run/count-execs.mjs).",
    "",
    ...ratios(all),
    ...(notes.length > 0 ? ["", ...notes.map((note) => `- ${note}`)] : []),
    ...(profileText ? ["", profileText] : []),
    ...(problems.length > 0 ? ["", "Problems found (exact commands; logs in bench/.work/run/logs):", "", "```", ...problems, "```"] : []),
  ].join("\n");
}

// ---------------------------------------------------------------- main

let fleetStatus = { ready: false, why: "not checked" };
/** The commit dist/ was built from (src/ may change while the benchmark runs). */
let builtFrom = "?";

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("run as root: the benchmark starts sshd processes and creates an account");
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
  builtFrom = `commit ${head}${dirty ? " plus uncommitted work in src/" : ""} at ${new Date().toISOString().slice(11, 16)} UTC`;
  fleetStatus = fleetReady();
  if (!fleetStatus.ready) console.error(`fleet run is not ready, measuring the rest only: ${fleetStatus.why}`);
  const sizes = option("sizes", "50,200").split(",").map(Number);
  const runs = Number(option("runs", "3"));
  const ansibleInstalled = existsSync(ANSIBLE);
  const all: Measurement[] = [];
  const notes: string[] = [];
  const profileDirs: string[] = [];
  if (!ansibleInstalled) notes.push(`${ANSIBLE} is not installed: no Ansible rows`);
  for (const hosts of sizes) {
    if (stopping) break;
    const ansible = ansibleInstalled && !flag("no-ansible") && (hosts <= 50 || flag("ansible-200"));
    const outcome = await measureSize(hosts, runs, { ansible, fleet: fleetStatus.ready, profile: flag("profile") });
    all.push(...outcome.measurements);
    notes.push(...outcome.notes);
    profileDirs.push(...outcome.profileDirs);
  }
  const profileText = profileDirs.length > 0 ? summariseProfiles(profileDirs, ROOT) : "";
  const text = report(all, notes, profileText);
  writeFileSync(path.join(WORK, "results.md"), `${text}\n`);
  console.log(`\n${text}`);
  if (problems.length > 0) process.exitCode = 2;
}

process.on("SIGINT", () => {
  if (stopping) return;
  stopping = true;
  console.error("interrupted: stopping sshd processes and ssh masters once the running tool ends");
  setTimeout(() => {
    stopControlMasters();
    void (activeFleet?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  }, 5_000).unref();
});

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  stopControlMasters();
  await activeFleet?.stop();
  process.exitCode = 1;
});
