/**
 * Times `fleet inventory --list` beside `ansible-inventory --list` on the same generated
 * 10,000-host inventory, alternating the two, and prints a table.
 *
 *   npm run build                                  # optional: time the built CLI (dist/)
 *   node --import tsx bench/inventory/run.ts [--runs N] [--skip-ansible]
 *
 * Without dist/ the CLI runs through tsx (TypeScript compiled at start, so slower). The
 * "in-process" row is loadInventory + the --list JSON inside this process, without Node's start.
 * Wall and CPU seconds are shown; on a busy machine CPU seconds are the steadier figure.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadInventory } from "../../src/inventory/load.js";
import { pythonJson } from "../../src/inventory/python-json.js";
import { inventoryList } from "../../src/inventory/render.js";
import { generateInventory } from "./generate.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const runs = Math.max(1, Number(option("--runs") ?? "3"));
const skipAnsible = process.argv.includes("--skip-ansible");

interface Tool {
  label: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

function fleetTool(inventory: string): Tool {
  const built = join(root, "dist", "cli", "main.js");
  if (existsSync(built)) {
    return { label: "fleet (node dist/cli/main.js)", command: process.execPath, args: [built, "inventory", "-i", inventory, "--list"], cwd: root, env: process.env };
  }
  return {
    label: "fleet (tsx, not built)",
    command: process.execPath,
    args: ["--import", "tsx", join(root, "src", "cli", "main.ts"), "inventory", "-i", inventory, "--list"],
    cwd: root,
    env: process.env,
  };
}

function findOnPath(name: string): string | undefined {
  for (const directory of (process.env["PATH"] ?? "").split(delimiter)) {
    const candidate = join(directory, name);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function ansibleTool(inventory: string, executable: string, home: string): Tool {
  return {
    label: "ansible-inventory",
    command: executable,
    args: ["-i", inventory, "--list"],
    // An empty directory and configuration: Ansible also reads group_vars/ from the current directory.
    cwd: home,
    env: { PATH: process.env["PATH"] ?? "", HOME: home, LANG: "C.UTF-8", ANSIBLE_CONFIG: join(home, "ansible.cfg"), ANSIBLE_HOME: join(home, ".ansible") },
  };
}

/**
 * CPU seconds (user + system) used by this process's finished children, from /proc/self/stat
 * (Linux, 100 ticks per second). On a shared machine CPU time varies less than wall time.
 */
function childrenCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

function timeRun(tool: Tool): { seconds: number; cpu: number | undefined; output: string } {
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const result = spawnSync(tool.command, tool.args, { cwd: tool.cwd, env: tool.env, encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = childrenCpuSeconds();
  if (result.status !== 0) throw new Error(`${tool.label} failed (${String(result.status)}): ${result.stderr}`);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { seconds, cpu, output: result.stdout };
}

/** Host and child lists sorted, keys sorted: two --list outputs as comparable text. */
function canonical(json: string): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (typeof value !== "object" || value === null) return value;
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, Array.isArray(item) && key !== "_meta" ? [...(item as string[])].sort() : sortKeys(item)]));
  };
  return JSON.stringify(sortKeys(JSON.parse(json)));
}

const seconds = (values: readonly number[]): { min: number; median: number; max: number } => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
};

const generated = generateInventory();
process.stdout.write(`inventory: ${generated.hosts} hosts, ${generated.groups} groups, group_vars and host_vars, in ${generated.directory}\n`);

const tools: Tool[] = [fleetTool(generated.directory)];
const ansibleExecutable = skipAnsible ? undefined : findOnPath("ansible-inventory");
const ansibleHome = mkdtempSync(join(tmpdir(), "fleet-bench-ansible-"));
writeFileSync(join(ansibleHome, "ansible.cfg"), "");
if (ansibleExecutable !== undefined) tools.push(ansibleTool(generated.directory, ansibleExecutable, ansibleHome));
else process.stdout.write(skipAnsible ? "ansible-inventory: skipped (--skip-ansible)\n" : "ansible-inventory: not on PATH, skipped\n");

const timings = new Map<string, number[]>(tools.map((tool) => [tool.label, []]));
const cpuTimes = new Map<string, number[]>(tools.map((tool) => [tool.label, []]));
const outputs = new Map<string, string>();
for (let run = 1; run <= runs; run++) {
  for (const tool of tools) {
    const { seconds: elapsed, cpu, output } = timeRun(tool);
    timings.get(tool.label)?.push(elapsed);
    if (cpu !== undefined) cpuTimes.get(tool.label)?.push(cpu);
    if (!outputs.has(tool.label)) outputs.set(tool.label, output);
    process.stdout.write(`run ${run}/${runs} ${tool.label}: ${elapsed.toFixed(2)} s wall${cpu === undefined ? "" : `, ${cpu.toFixed(2)} s cpu`}\n`);
  }
}
rmSync(ansibleHome, { recursive: true, force: true });

const inProcess: number[] = [];
const inProcessCpu: number[] = [];
for (let run = 1; run <= runs; run++) {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  pythonJson(inventoryList(await loadInventory([generated.directory])));
  const cpu = process.cpuUsage(cpuStart);
  inProcess.push((performance.now() - started) / 1000);
  inProcessCpu.push((cpu.user + cpu.system) / 1e6);
}
timings.set("fleet in-process (load + --list JSON)", inProcess);
cpuTimes.set("fleet in-process (load + --list JSON)", inProcessCpu);

const rows = [...timings].map(([label, values]) => ({ label, ...seconds(values), runs: values.length, cpu: cpuTimes.get(label) ?? [] }));
const width = Math.max(...rows.map((row) => row.label.length));
process.stdout.write(`\n${"tool".padEnd(width)}  runs  wall min  wall median  wall max  cpu median\n`);
for (const row of rows) {
  const cpu = row.cpu.length === 0 ? "-" : seconds(row.cpu).median.toFixed(2);
  process.stdout.write(
    `${row.label.padEnd(width)}  ${String(row.runs).padStart(4)}  ${row.min.toFixed(2).padStart(8)}  ${row.median.toFixed(2).padStart(11)}  ${row.max.toFixed(2).padStart(8)}  ${cpu.padStart(10)}\n`,
  );
}
const fleetOutput = outputs.get(tools[0]?.label ?? "");
const ansibleOutput = ansibleExecutable === undefined ? undefined : outputs.get("ansible-inventory");
if (fleetOutput !== undefined && ansibleOutput !== undefined) {
  process.stdout.write(`\nsame --list as ansible-inventory (lists and keys sorted): ${canonical(fleetOutput) === canonical(ansibleOutput) ? "yes" : "NO"}\n`);
}
