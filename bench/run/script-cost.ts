/**
 * The hosts' side of a fleet run, on its own: the scripts fleet sent on one host's connection
 * (captured by dump-scripts.mjs) are split into their sections, and a gather script is run N
 * times in a row as the bench account (`sh -s`, as sshd would run it), as written and with
 * repeated probes left out, to see what one host spends per gather: wall, CPU, processes.
 * Used by bench/run/run.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A section as buildSectionedScript writes it: begin markers, `(\nBODY\n) </dev/null`, status, end markers. */
const SECTION_START = /^printf '%s\\n' '@@fleet-\w+ \d+'; /m;
const BODY = /^\(\n([\s\S]*?)\n\) <\/dev\/null$/m;

export interface ScriptShape {
  file: string;
  command: string;
  bytes: number;
  sections: number;
  distinct: number;
}

function sections(script: string): string[] {
  const parts = script.split(new RegExp(`(?=${SECTION_START.source})`, "m"));
  return parts.filter((part) => SECTION_START.test(part));
}

export function scriptShapes(directory: string): ScriptShape[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith(".sh"))
    .sort()
    .map((name) => {
      const script = readFileSync(path.join(directory, name), "utf8");
      const bodies = sections(script).map((part) => BODY.exec(part)?.[1] ?? part);
      const commandFile = path.join(directory, name.replace(/\.sh$/, ".cmd"));
      return { file: name, command: existsSync(commandFile) ? readFileSync(commandFile, "utf8") : "?", bytes: Buffer.byteLength(script), sections: bodies.length, distinct: new Set(bodies).size };
    });
}

/** The same script with every section whose body was already probed left out. */
export function withoutRepeats(script: string): string {
  const seen = new Set<string>();
  const head = script.split(new RegExp(`(?=${SECTION_START.source})`, "m"));
  return head
    .filter((part) => {
      if (!SECTION_START.test(part)) return true;
      const body = BODY.exec(part)?.[1] ?? part;
      if (seen.has(body)) return false;
      seen.add(body);
      return true;
    })
    .join("");
}

export interface ScriptCost {
  runs: number;
  msWall: number;
  msCpu: number;
  processes: number;
}

const forkCount = (): number => Number(/^processes\s+(\d+)/m.exec(readFileSync("/proc/stat", "utf8"))?.[1] ?? NaN);

/** Runs `sh -s < script` `runs` times in a row as `user`; per run: wall ms, CPU ms, processes started. */
export function timeScript(script: string, user: string, runs: number, scratch: string): ScriptCost {
  const file = `${scratch}.sh`;
  const report = `${scratch}.time`;
  writeFileSync(file, script, { mode: 0o644 });
  const loop = `i=0; while [ $i -lt ${runs} ]; do setpriv --reuid ${user} --regid ${user} --clear-groups sh -s < '${file}' > /dev/null 2>&1; i=$((i+1)); done`;
  const before = forkCount();
  spawnSync("/usr/bin/time", ["-f", "%e %U %S", "-o", report, "sh", "-c", loop], { stdio: "ignore" });
  const after = forkCount();
  const [wall, user_, system] = readFileSync(report, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
  rmSync(file, { force: true });
  rmSync(report, { force: true });
  return { runs, msWall: ((wall ?? NaN) * 1000) / runs, msCpu: (((user_ ?? NaN) + (system ?? NaN)) * 1000) / runs, processes: (after - before - 2) / runs };
}
