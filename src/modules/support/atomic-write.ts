import { shellQuote } from "../../transport/shell-quote.js";

export interface AtomicWrite {
  path: string;
  content: string;
  /** Octal mode ("0644"); undefined keeps the current file's mode, or 0644 for a new file. */
  mode?: string | undefined;
  owner?: string | undefined;
  group?: string | undefined;
}

/**
 * A script that replaces `path` with `content` atomically: a temporary file in the same directory
 * gets the content, mode and owner first, then rename() puts it in place. A failure at any step
 * removes the temporary file and leaves the old file untouched, also when the write is killed by
 * HUP, INT, PIPE or TERM (a task's timeout; only SIGKILL leaves it). A path that exists but is not a
 * regular file (a device such as /dev/null, a directory) is refused, never replaced. The content travels base64
 * encoded, so no byte of it is ever read by the shell.
 */
export function atomicWriteScript(write: AtomicWrite): string {
  const path = shellQuote(write.path);
  const encoded = Buffer.from(write.content, "utf8").toString("base64");
  const steps = [
    `printf '%s' '${encoded}' | base64 -d > "$fleet_tmp"`,
    // chown before chmod: chown clears setuid/setgid bits
    ownerStep(write, path),
    write.mode === undefined ? `{ [ -e ${path} ] && chmod --reference=${path} "$fleet_tmp" || chmod 0644 "$fleet_tmp"; }` : `chmod ${shellQuote(write.mode)} "$fleet_tmp"`,
    `mv -f -- "$fleet_tmp" ${path}`,
  ];
  return [
    // never rename over a device, directory or fifo: only a regular file (or nothing) is replaced
    `if [ -e ${path} ] && [ ! -f ${path} ]; then echo "fleet: ${write.path.replace(/[\\"$`]/g, "")} exists and is not a regular file; not replacing it" >&2; exit 1; fi`,
    // killed on the way (a task's timeout sends TERM to the whole process group, a dropped session
    // HUP or PIPE): remove the temporary file before dying. Set before mktemp, so no moment is uncovered.
    "fleet_tmp=",
    ...CLEANUP_SIGNALS.map(([signal, status]) => `trap '[ -z "$fleet_tmp" ] || rm -f -- "$fleet_tmp"; exit ${status}' ${signal}`),
    `fleet_tmp=$(mktemp -- "$(dirname -- ${path})/.fleet-tmp.XXXXXXXX")`,
    `if ${steps.join(" && ")}; then :; else fleet_rc=$?; rm -f -- "$fleet_tmp"; exit "$fleet_rc"; fi`,
    // renamed into place: nothing left to remove
    `trap - ${CLEANUP_SIGNALS.map(([signal]) => signal).join(" ")}`,
  ].join("\n");
}

/** Signals that end the write early, with the exit status a shell gives for each (128 + number). */
const CLEANUP_SIGNALS: readonly (readonly [string, number])[] = [["HUP", 129], ["INT", 130], ["PIPE", 141], ["TERM", 143]];

function ownerStep(write: AtomicWrite, path: string): string {
  const keep = `{ [ ! -e ${path} ] || chown --reference=${path} "$fleet_tmp"; }`;
  if (write.owner === undefined && write.group === undefined) return keep;
  // what is not given is kept from the file being replaced
  const spec = `${write.owner ?? ""}${write.group === undefined ? "" : `:${write.group}`}`;
  return `${keep} && chown ${shellQuote(spec)} "$fleet_tmp"`;
}
