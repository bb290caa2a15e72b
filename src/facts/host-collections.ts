import { FactParseError } from "./errors.js";
import { lxdCollection } from "./lxd/collection.js";
import type { FactKind, FactValue } from "./types.js";

/**
 * Host-level facts a playbook reads as `facts.NAME.*` in `when` and templates. The engine gathers
 * a collection only when the play mentions it, in the host's first round trip.
 */
export type HostCollection = FactKind<{ [key: string]: FactValue }>;

const kernel: HostCollection = {
  name: "facts.kernel",
  probe: () =>
    [
      `printf 'release=%s\\n' "$(uname -r)"`,
      `printf 'machine=%s\\n' "$(uname -m)"`,
      `[ -e /sys/kernel/slab ] && echo slab_present=true || echo slab_present=false`,
      `[ -e /proc/sched_debug ] && echo sched_debug_present=true || echo sched_debug_present=false`,
    ].join("; "),
  parse: (raw) => keyValues(raw.stdout, "facts.kernel"),
};

const os: HostCollection = {
  name: "facts.os",
  probe: () => `[ -r /etc/os-release ] && cat /etc/os-release; printf 'hostname=%s\\n' "$(hostname)"`,
  parse: (raw) => {
    const values = keyValues(raw.stdout, "facts.os");
    return { id: values["ID"] ?? "unknown", version_id: values["VERSION_ID"] ?? "", pretty_name: values["PRETTY_NAME"] ?? "", hostname: values["hostname"] ?? "" };
  },
};

export const HOST_COLLECTIONS: ReadonlyMap<string, HostCollection> = new Map([
  ["kernel", kernel],
  ["os", os],
  ["lxd", lxdCollection],
]);

/** KEY=VALUE lines (values optionally quoted, as in os-release); "true"/"false" become booleans. */
export function keyValues(text: string, kind: string): { [key: string]: FactValue } {
  const values: { [key: string]: FactValue } = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const at = line.indexOf("=");
    if (at <= 0) throw new FactParseError(kind, "", `unexpected line ${JSON.stringify(line)}`);
    const raw = line.slice(at + 1).trim().replace(/^"(.*)"$/, "$1");
    values[line.slice(0, at).trim()] = raw === "true" ? true : raw === "false" ? false : raw;
  }
  return values;
}

/** The names of the collections a text mentions as facts.NAME. */
export function mentionedCollections(texts: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const text of texts) for (const match of text.matchAll(/\bfacts\.([A-Za-z_]\w*)/g)) if (match[1] && HOST_COLLECTIONS.has(match[1])) names.add(match[1]);
  return [...names];
}
