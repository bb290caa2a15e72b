/**
 * Where a profiled fleet process spends its time: reads the .cpuprofile files `node --cpu-prof`
 * wrote and sums self time by place (fleet's own files, each package, Node internals, idle, GC)
 * and by function. Used by bench/run/run.ts; also runnable alone:
 *
 *   npx tsx bench/run/profile-summary.ts DIR...
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The place a frame belongs to, for the coarse split. */
function placeOf(frame: ProfileNode["callFrame"], root: string): string {
  const { url, functionName } = frame;
  if (functionName === "(idle)") return "(idle: waiting for the network / sshd)";
  if (functionName === "(garbage collector)") return "(garbage collector)";
  if (functionName === "(program)") return "(program: V8/native outside JS)";
  if (url === "") return `(native) ${functionName || "anonymous"}`;
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return `package ${packageMatch[1]}`;
  if (url.startsWith("node:")) return "node internals";
  const file = url.startsWith("file://") ? fileURLToPath(url) : url;
  if (file.startsWith(root)) return `fleet ${path.relative(root, file).replace(/^dist\//, "").replace(/\.js$/, "")}`;
  return url;
}

function frameName(frame: ProfileNode["callFrame"], root: string): string {
  const file = frame.url.startsWith("file://") ? path.relative(root, fileURLToPath(frame.url)) : frame.url;
  return `${frame.functionName || "(anonymous)"} ${file ? `${file}:${frame.lineNumber + 1}` : ""}`.trim();
}

export interface ProfileSummary {
  label: string;
  totalMs: number;
  places: Array<[string, number]>;
  functions: Array<[string, number]>;
}

export function summariseProfile(file: string, root: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const node = byId.get(id);
    if (node === undefined) return;
    totalMs += ms;
    const place = placeOf(node.callFrame, root);
    places.set(place, (places.get(place) ?? 0) + ms);
    const name = frameName(node.callFrame, root);
    functions.set(name, (functions.get(name) ?? 0) + ms);
  });
  const sorted = (map: Map<string, number>): Array<[string, number]> => [...map].sort((a, b) => b[1] - a[1]);
  return { label: path.basename(path.dirname(file)) === "" ? file : path.basename(path.dirname(file)), totalMs, places: sorted(places), functions: sorted(functions) };
}

/** Markdown: per profile, the split by place and the functions with the most self time. */
export function summariseProfiles(directories: readonly string[], root: string): string {
  const lines = ["Where a fleet process spends its time (node --cpu-prof on an untimed extra pass, -f = hosts; self time):"];
  for (const directory of directories) {
    if (!existsSync(directory)) continue;
    for (const name of readdirSync(directory).filter((file) => file.endsWith(".cpuprofile"))) {
      const summary = summariseProfile(path.join(directory, name), root);
      const percent = (ms: number): string => `${((100 * ms) / summary.totalMs).toFixed(0)}%`;
      lines.push("", `${path.basename(directory)}: ${(summary.totalMs / 1000).toFixed(2)} s profiled`);
      lines.push(`  by place: ${summary.places.slice(0, 10).map(([place, ms]) => `${place} ${(ms / 1000).toFixed(2)} s (${percent(ms)})`).join("; ")}`);
      lines.push(`  top functions: ${summary.functions.filter(([fn]) => !fn.startsWith("(idle)")).slice(0, 10).map(([fn, ms]) => `${fn} ${ms.toFixed(0)} ms`).join("; ")}`);
    }
  }
  return lines.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(summariseProfiles(process.argv.slice(2), path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")));
}
