/**
 * Where a profiled fleet process spends its CPU, in the coarse split bench/scale reports: ssh2
 * (handshakes, crypto, packets), fleet's transport, fleet's engine/modules/playbook code, report
 * building and writing, progress output, other packages, start-up (module loading), GC.
 *
 * A sample is charged to the innermost frame of its stack that belongs to fleet's code or to a
 * package (native frames and Node internals are charged to the code that called them: a native
 * `writeBuffer` under ssh2's socket write counts as socket writes, a `JSON.stringify` under the
 * report writer as report).
 *
 * Samples are weighted by CPU, not by wall clock: V8's profiler samples the main thread every
 * interval (1 ms) on the wall clock, and when the thread waits for a CPU (on this machine the
 * loopback hosts saturate both) the next sample carries the whole wait and lands where the thread
 * was preempted (mostly the socket write that woke an sshd). Each sample here counts for at most
 * one sampling interval (the 10th percentile of the gaps between samples), which leaves the waiting out; the
 * wall-clock totals are printed too.
 *
 *   npx tsx bench/scale/profile-shares.ts FILE.cpuprofile...
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Shares {
  file: string;
  /** Wall clock covered by the profile, and of it idle (waiting for the hosts) and busy, unweighted. */
  totalMs: number;
  wallIdleMs: number;
  /** The sampling interval found (10th percentile of the gaps between samples). */
  intervalMs: number;
  /** CPU-weighted busy time: every busy sample counted for at most one interval. */
  busyMs: number;
  /** CPU-weighted milliseconds by category, largest first (idle left out). */
  categories: Array<[string, number]>;
  /** Milliseconds by fleet source file (attributed as above), largest first. */
  fleetFiles: Array<[string, number]>;
  /** Self time by function (profile-summary's view), largest first, idle left out. */
  topSelf: Array<[string, number]>;
  /** Inclusive time (the function and all it called) of the places in INCLUSIVE, in that order. */
  inclusive: Array<[string, number]>;
}

/** Places whose inclusive cost the report names: output, report, per-command listeners, task variables, connecting. */
const INCLUSIVE: Array<[string, RegExp]> = [
  ["progress on a terminal: LiveLine (src/cli/live-line.ts), all calls", /^\S+ \S*\/cli\/live-line\.js:/m],
  ["task lines: taskLine (src/cli/run-output.ts)", /^taskLine \S*\/cli\/run-output\.js:/m],
  ["PLAY RECAP table: recapTable (cli-table3)", /^recapTable /m],
  ["controls summary table: renderSummaryTable", /^renderSummaryTable /m],
  ["report building: buildReport + applyWaivers + mask.deep", /^(buildReport|applyWaivers|deep) /m],
  ["report writing: writeReportFile (JSON to disk)", /^writeReportFile /m],
  ["abort listeners: EventTarget add/removeEventListener", /^(addEventListener|removeEventListener) node:internal\/event_target/m],
  ["task variables: taskVariables (src/playbook/vars.ts)", /^taskVariables \S*\/playbook\/vars\.js:/m],
  ["connecting: SshTransport connect (src/transport/ssh.ts) and ssh2 handshake callbacks", /^(connect|openClient|authMethods) \S*\/transport\/ssh\.js:|^onKEX|^onHandshakeComplete|kex\.js/m],
];

const IDLE = "(idle: waiting for sshd / the hosts)";
const SSH2 = "ssh2: protocol, packets, channels (JS)";
const SSH2_CRYPTO = "ssh2: crypto (key exchange, host key verify, user key sign, ciphers/MACs via node:crypto)";
const SOCKET_WRITES = "socket writes to the hosts (native writeBuffer/writev under ssh2: loopback TCP in the kernel, and time preempted there)";
const WRITES = new Set(["writeBuffer", "writev", "writeUtf8String", "writeLatin1String", "writeAsciiString", "writeUcs2String"]);
const GC = "(garbage collector)";

function fileOf(url: string): string {
  return url.startsWith("file://") ? fileURLToPath(url) : url;
}

/** dist/engine/fan-out.js → src/engine/fan-out.ts (the source it was built from). */
const sourceOf = (url: string, root: string): string => path.relative(root, fileOf(url)).replace(/^dist\/(.*)\.js$/, "src/$1.ts");

/** The category of the frame a sample is charged to; undefined when the frame is not fleet's or a package's. */
function categoryOf(url: string, root: string): string | undefined {
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) {
    const name = packageMatch[1] ?? "?";
    if (name === "ssh2" || name === "cpu-features" || name === "asn1" || name === "bcrypt-pbkdf") return SSH2;
    if (name === "cli-table3" || name === "string-width" || name === "strip-ansi" || name === "@colors/colors") return "progress/recap output (cli-table3)";
    return `package ${name}`;
  }
  if (url === "" || url.startsWith("node:")) return undefined;
  const file = sourceOf(url, root);
  if (!file.startsWith("src/")) return `other: ${file}`;
  if (file.startsWith("src/transport/")) return "fleet transport (src/transport)";
  if (file.startsWith("src/report/") || file === "src/cli/report-files.ts") return "fleet report building/writing (src/report, cli/report-files)";
  if (["src/cli/run-output.ts", "src/cli/terminal-safe.ts", "src/cli/exec-output.ts", "src/cli/exec-progress.ts", "src/cli/run-progress.ts", "src/cli/live-line.ts"].includes(file)) return "progress/recap output (src/cli/run-output, run-progress, live-line, terminal-safe)";
  if (file.startsWith("src/inventory/")) return "fleet inventory loading (src/inventory)";
  if (file === "src/engine/mask.ts" || file === "src/engine/secret-mask.ts" || file === "src/cli/secret-output.ts") return "fleet secret masking (engine/mask, secret-mask)";
  if (file.startsWith("src/engine/")) return "fleet engine (src/engine)";
  if (file.startsWith("src/playbook/")) return "fleet playbook/templating (src/playbook)";
  if (file.startsWith("src/modules/") || file.startsWith("src/facts/")) return "fleet modules and facts (src/modules, src/facts)";
  return `fleet ${path.dirname(file)}`;
}

export function profileShares(file: string, root: string): Shares {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const charged = new Map<number, { category: string; fleetFile: string | undefined }>();
  const chargeOf = (id: number): { category: string; fleetFile: string | undefined } => {
    const known = charged.get(id);
    if (known) return known;
    const node = byId.get(id);
    let result: { category: string; fleetFile: string | undefined };
    if (node === undefined) result = { category: "(unknown)", fleetFile: undefined };
    else if (node.callFrame.functionName === "(idle)") result = { category: IDLE, fleetFile: undefined };
    else if (node.callFrame.functionName === "(garbage collector)") result = { category: GC, fleetFile: undefined };
    else if (node.callFrame.functionName === "(program)") result = { category: "(program: V8/native, no JS stack)", fleetFile: undefined };
    else {
      const category = categoryOf(node.callFrame.url, root);
      if (category !== undefined) {
        const own = node.callFrame.url.startsWith("file://") && !node.callFrame.url.includes("node_modules") ? sourceOf(node.callFrame.url, root) : undefined;
        result = { category, fleetFile: own };
      } else {
        const up = parent.get(id);
        if (up === undefined || byId.get(up)?.callFrame.functionName === "(root)") {
          // Node internals with no fleet or package frame above: loading modules, timers, process start and exit
          const isLoader = /node:internal\/modules/.test(node.callFrame.url);
          result = { category: isLoader ? "start-up: module loading (node:internal/modules)" : "node internals with no caller of ours (timers, streams, process)", fleetFile: undefined };
        } else {
          const above = chargeOf(up);
          result = above.category.startsWith("node internals") && /node:internal\/modules/.test(node.callFrame.url) ? { category: "start-up: module loading (node:internal/modules)", fleetFile: undefined } : above;
        }
      }
    }
    charged.set(id, result);
    return result;
  };
  /** ssh2's share split by the leaf frame: crypto in node:crypto, socket writes, the rest. */
  const refine = (id: number, category: string): string => {
    if (category !== SSH2) return category;
    const leaf = byId.get(id)?.callFrame;
    if (leaf === undefined) return category;
    if (leaf.url === "" && WRITES.has(leaf.functionName)) return SOCKET_WRITES;
    if (leaf.url.startsWith("node:internal/crypto") || /crypto\.js$/.test(leaf.url) || (leaf.url === "" && /^(sign|verify|update|final|digest|computeSecret|generateKeys|Hmac|Cipher|Decipher)/i.test(leaf.functionName))) return SSH2_CRYPTO;
    return category;
  };
  const gaps = profile.timeDeltas.filter((delta) => delta > 0).sort((a, b) => a - b);
  // the sampling interval: the gap most samples of a thread that keeps running have (a low percentile, as more than half may follow a wait)
  const intervalMs = (gaps[Math.floor(gaps.length / 10)] ?? 1000) / 1000;
  const categories = new Map<string, number>();
  const fleetFiles = new Map<string, number>();
  const self = new Map<string, number>();
  let totalMs = 0;
  let wallIdleMs = 0;
  let busyMs = 0;
  const weight = (index: number): number => Math.min((profile.timeDeltas[index] ?? 0) / 1000, intervalMs);
  const isIdle = (id: number): boolean => byId.get(id)?.callFrame.functionName === "(idle)";
  profile.samples.forEach((id, index) => {
    const wall = (profile.timeDeltas[index] ?? 0) / 1000;
    totalMs += wall;
    if (isIdle(id)) {
      wallIdleMs += wall;
      return;
    }
    const ms = weight(index);
    busyMs += ms;
    const frame = byId.get(id)?.callFrame;
    if (frame) {
      const name = `${frame.functionName || "(anonymous)"} ${frame.url ? `${frame.url.startsWith("file://") ? sourceOf(frame.url, root) : frame.url}:${frame.lineNumber + 1}` : ""}`.trim();
      self.set(name, (self.get(name) ?? 0) + ms);
    }
    const charge = chargeOf(id);
    const category = refine(id, charge.category);
    const { fleetFile } = charge;
    categories.set(category, (categories.get(category) ?? 0) + ms);
    if (fleetFile !== undefined) fleetFiles.set(fleetFile, (fleetFiles.get(fleetFile) ?? 0) + ms);
  });
  const sorted = (map: Map<string, number>): Array<[string, number]> => [...map].sort((a, b) => b[1] - a[1]);
  // inclusive: a sample counts for a place when the place is anywhere on its stack
  const stacks = new Map<number, string>();
  const stackOf = (id: number): string => {
    const known = stacks.get(id);
    if (known !== undefined) return known;
    const frames: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame) frames.push(`${frame.functionName || "(anonymous)"} ${frame.url}:${frame.lineNumber + 1}`);
    }
    const text = frames.join("\n");
    stacks.set(id, text);
    return text;
  };
  const inclusive = INCLUSIVE.map(([label]) => [label, 0] as [string, number]);
  profile.samples.forEach((id, index) => {
    if (isIdle(id)) return;
    const ms = weight(index);
    const stack = stackOf(id);
    INCLUSIVE.forEach(([, pattern], at) => {
      if (pattern.test(stack)) (inclusive[at] as [string, number])[1] += ms;
    });
  });
  return { file, totalMs, wallIdleMs, intervalMs, busyMs, categories: sorted(categories), fleetFiles: sorted(fleetFiles), topSelf: sorted(self), inclusive };
}

/** Markdown lines: the split (CPU-weighted busy time), the inclusive places and the top self-time functions. */
export function describeShares(label: string, shares: Shares, top = 12): string[] {
  const busy = shares.busyMs;
  const writes = shares.categories.find(([name]) => name === SOCKET_WRITES)?.[1] ?? 0;
  const work = busy - writes;
  const percent = (ms: number): string => `${((100 * ms) / busy).toFixed(1)} %`;
  const lines = [
    `**${label}**: ${(shares.totalMs / 1000).toFixed(1)} s profiled on the wall clock, ${(shares.wallIdleMs / 1000).toFixed(1)} s of it idle (waiting for the hosts) and ${((shares.totalMs - shares.wallIdleMs) / 1000).toFixed(1)} s busy or waiting for a CPU; weighted by CPU (each sample at most one ${shares.intervalMs.toFixed(2)} ms interval) the main thread's busy time is ${(busy / 1000).toFixed(1)} s. Shares of it, and of it without the socket writes:`,
    "",
    "| charged to | CPU-weighted s | share | share without socket writes |",
    "| --- | ---: | ---: | ---: |",
  ];
  for (const [name, ms] of shares.categories) if (name !== IDLE && ms >= busy * 0.003) lines.push(`| ${name} | ${(ms / 1000).toFixed(2)} | ${percent(ms)} | ${name === SOCKET_WRITES ? "" : `${((100 * ms) / work).toFixed(1)} %`} |`);
  lines.push("", `fleet's own files (charged as above): ${shares.fleetFiles.slice(0, 8).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)} s (${percent(ms)})`).join("; ") || "none"}`);
  lines.push("", `inclusive (the place and all it called): ${shares.inclusive.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)} s (${percent(ms)})`).join("; ")}`);
  lines.push("", `top self time: ${shares.topSelf.slice(0, top).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)} s (${percent(ms)})`).join("; ")}`);
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  for (const file of process.argv.slice(2)) console.log(`${describeShares(path.basename(file), profileShares(file, root)).join("\n")}\n`);
}
