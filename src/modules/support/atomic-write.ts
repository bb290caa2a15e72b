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
 * removes the temporary file and leaves the old file untouched. A path that exists but is not a
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
    `fleet_tmp=$(mktemp -- "$(dirname -- ${path})/.fleet-tmp.XXXXXXXX")`,
    `if ${steps.join(" && ")}; then :; else fleet_rc=$?; rm -f -- "$fleet_tmp"; exit "$fleet_rc"; fi`,
  ].join("\n");
}

function ownerStep(write: AtomicWrite, path: string): string {
  const keep = `{ [ ! -e ${path} ] || chown --reference=${path} "$fleet_tmp"; }`;
  if (write.owner === undefined && write.group === undefined) return keep;
  // what is not given is kept from the file being replaced
  const spec = `${write.owner ?? ""}${write.group === undefined ? "" : `:${write.group}`}`;
  return `${keep} && chown ${shellQuote(spec)} "$fleet_tmp"`;
}
