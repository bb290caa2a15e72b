/**
 * How a packaged (non-snap) LXD daemon is started: the lxd.service unit and its drop-ins, read
 * with `systemctl cat lxd.service`, or straight from the unit directories when systemctl is
 * missing or cannot talk to systemd (a container or a machine not booted with systemd).
 */
import { SBIN_PATH } from "../sbin-path.js";
import { FactParseError } from "../errors.js";
import type { FactKind, RawProbe } from "../types.js";

export const LXD_UNIT = "lxd.service";

/** Unit directories in systemd's order of precedence (the first holding the unit wins). */
const UNIT_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"] as const;

export type LxdServiceUnit = {
  /** systemctl: `systemctl cat` answered; files: read from disk; none: no unit found. */
  source: "systemctl" | "files" | "none";
  /** Why systemctl was not used ("systemctl is not installed", its error); null when it was. */
  systemctlMessage: string | null;
  /** The unit file and its drop-ins, in the order systemd applies them. */
  files: string[];
  /** The ExecStart= in effect (after drop-ins that reset it), as written; null when none. */
  execStart: string | null;
  /** KillMode= in effect ("process" in Debian's unit: a restart leaves the instances running); null when unset. */
  killMode: string | null;
  /** /etc/init.d/lxd exists: without systemd, that script starts the daemon. */
  sysvinit: boolean;
};

export const LXD_SERVICE_UNIT_ARG = "";

const PROBE = `${SBIN_PATH}
[ -f /etc/init.d/lxd ] && echo 'fleet:sysvinit'
if command -v systemctl >/dev/null 2>&1; then
  if fleet_out=$(systemctl cat ${LXD_UNIT} 2>&1 </dev/null); then echo 'fleet:systemctl'; printf '%s\\n' "$fleet_out"; exit 0; fi
  echo "fleet:systemctl-failed $(printf '%s' "$fleet_out" | grep -v '^$' | head -n 1)"
else
  echo 'fleet:no-systemctl'
fi
for fleet_dir in ${UNIT_DIRS.join(" ")}; do
  if [ -f "$fleet_dir/${LXD_UNIT}" ]; then echo "# $fleet_dir/${LXD_UNIT}"; cat "$fleet_dir/${LXD_UNIT}"; break; fi
done
for fleet_file in ${UNIT_DIRS.map((dir) => `${dir}/${LXD_UNIT}.d/*.conf`).join(" ")}; do
  [ -f "$fleet_file" ] && { echo "# $fleet_file"; cat "$fleet_file"; }
done
exit 0`;

export const lxdServiceUnit: FactKind<LxdServiceUnit> = {
  name: "lxd_service_unit",
  probe: () => PROBE,
  parse: (raw: RawProbe, arg: string) => parseServiceUnit(raw.stdout, arg),
};

/** Pure: the probe's output → the unit in effect. */
export function parseServiceUnit(stdout: string, arg = LXD_SERVICE_UNIT_ARG): LxdServiceUnit {
  const lines = stdout.split("\n");
  let sysvinit = false;
  let source: LxdServiceUnit["source"] | undefined;
  let systemctlMessage: string | null = null;
  const sections: { file: string; text: string[] }[] = [];
  for (const line of lines) {
    if (source === undefined) {
      if (line === "fleet:sysvinit") sysvinit = true;
      else if (line === "fleet:systemctl") source = "systemctl";
      else if (line === "fleet:no-systemctl") [source, systemctlMessage] = ["files", "systemctl is not installed"];
      else if (line.startsWith("fleet:systemctl-failed")) [source, systemctlMessage] = ["files", line.slice("fleet:systemctl-failed".length).trim() || "systemctl cat failed"];
      else if (line !== "") throw new FactParseError("lxd_service_unit", arg, `unexpected line ${JSON.stringify(line)}`);
      continue;
    }
    const header = /^# (\/\S+)$/.exec(line);
    if (header !== null) sections.push({ file: header[1] ?? "", text: [] });
    else sections[sections.length - 1]?.text.push(line);
  }
  if (source === undefined) throw new FactParseError("lxd_service_unit", arg, "the probe printed no source line");
  // Read from disk, drop-ins apply in file-name order, and a name in a higher directory hides the same name below.
  const ordered = source === "files" ? orderFromDisk(sections) : sections;
  let execStart: string | null = null;
  let killMode: string | null = null;
  for (const section of ordered) {
    for (const assignment of serviceAssignments(section.text, "ExecStart")) execStart = assignment === "" ? null : assignment;
    for (const assignment of serviceAssignments(section.text, "KillMode")) killMode = assignment === "" ? null : assignment;
  }
  return { source: ordered.length === 0 ? "none" : source, systemctlMessage, files: ordered.map((section) => section.file), execStart, killMode, sysvinit };
}

function orderFromDisk<T extends { file: string }>(sections: readonly T[]): T[] {
  const unit = sections.find((section) => section.file.endsWith(`/${LXD_UNIT}`));
  const dropIns = sections.filter((section) => section !== unit);
  if (unit === undefined) return [];
  const rank = (file: string): number => UNIT_DIRS.findIndex((dir) => file.startsWith(`${dir}/`));
  const byName = new Map<string, T>();
  for (const dropIn of dropIns) {
    const name = dropIn.file.slice(dropIn.file.lastIndexOf("/") + 1);
    const current = byName.get(name);
    if (current === undefined || rank(dropIn.file) < rank(current.file)) byName.set(name, dropIn);
  }
  return [unit, ...[...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, dropIn]) => dropIn)];
}

/** The values of `name=` in the [Service] section, continuation lines joined, in order. */
export function serviceAssignments(text: readonly string[], name: string): string[] {
  const values: string[] = [];
  let section = "";
  for (let index = 0; index < text.length; index++) {
    let line = (text[index] ?? "").trim();
    while (line.endsWith("\\") && index + 1 < text.length) line = `${line.slice(0, -1).trimEnd()} ${(text[++index] ?? "").trim()}`;
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      section = header[1] ?? "";
      continue;
    }
    const assignment = /^([A-Za-z0-9]+)\s*=\s*(.*)$/.exec(line);
    if (section === "Service" && assignment !== null && assignment[1] === name) values.push(assignment[2] ?? "");
  }
  return values;
}

/** An ExecStart= value's special prefixes (systemd.service: "-", "@", ":", "+", "!", "!!"). */
export function splitExecPrefix(execStart: string): { prefix: string; command: string } {
  const match = /^([-@:+!]*)(.*)$/s.exec(execStart);
  return { prefix: match?.[1] ?? "", command: match?.[2] ?? execStart };
}

/**
 * Words of a systemd command line: split on whitespace, "double" and 'single' quotes group
 * words (systemd.syntax). Enough for ExecStart lines; specifiers (%i) are left as they are.
 */
export function systemdWords(command: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const match of command.matchAll(pattern)) {
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : (match[2] ?? match[3] ?? ""));
  }
  return words;
}

/** Words back into a systemd command line, quoting the ones that need it. */
export function systemdCommand(words: readonly string[]): string {
  return words.map((word) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/(["\\])/g, "\\$1")}"`)).join(" ");
}
