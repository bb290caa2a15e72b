import { z } from "zod";
import { fileContent, type FileContent } from "../facts/file.js";
import { SBIN_PATH } from "../facts/sbin-path.js";
import { normaliseSysctlValue, sysctlValue, type SysctlValue } from "../facts/sysctl.js";
import { fact, type FactRequest } from "../facts/types.js";
import { shellQuote } from "../transport/shell-quote.js";
import { atomicWriteScript } from "./support/atomic-write.js";
import { ok, type FactEffect, type Module, type PlannedCommand } from "./types.js";

export interface SysctlArgs {
  /** Dotted (or slashed) key: "kernel.dmesg_restrict". */
  name: string;
  /** As the user wrote it; compared whitespace-normalised. */
  value: string;
  /** Also write it to `file`, so it holds after a reboot. */
  persist: boolean;
  file: string;
}

const SYSCTL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:@+/-]*$/;

export const sysctlArgs: z.ZodType<SysctlArgs, unknown> = z
  .object({
    name: z
      .string()
      .regex(SYSCTL_NAME, "expected a sysctl key such as kernel.dmesg_restrict")
      // sysctl reads and writes /proc/sys/NAME: "kernel/../../etc/x" would leave /proc/sys
      .refine((name) => !name.includes(".."), 'must not contain ".." (a key names a file under /proc/sys)'),
    value: z
      .union([z.string(), z.number()])
      .transform((value) => String(value))
      .refine((value) => normaliseSysctlValue(value) !== "", "must not be empty")
      .refine((value) => !/[\n\r\0]/.test(value), "must be one line"),
    persist: z.boolean().default(true),
    file: z
      .string()
      .regex(/^\/.*[^/]$/, "expected an absolute file path")
      .default("/etc/sysctl.d/99-fleet.conf"),
  })
  .strict();

const requests = (args: SysctlArgs): { runtime: FactRequest<SysctlValue>; file: FactRequest<FileContent> } => ({
  runtime: fact(sysctlValue, args.name),
  file: fact(fileContent, args.file),
});

/**
 * Sets a kernel parameter now (sysctl -w) and, with persist, in a sysctl.d file. The runtime value
 * is set and read back first, and the file written after: a value the kernel rejects is never
 * persisted (it would fail again at every boot). The read-back is needed because sysctl can exit
 * 0 without setting anything (a read-only key prints "Invalid argument" and exits 0).
 */
export const sysctlModule: Module<SysctlArgs> = {
  name: "sysctl",
  description: "Set a kernel parameter now and persist it in a sysctl.d file",
  args: sysctlArgs,
  facts: (args) => {
    const { runtime, file } = requests(args);
    return args.persist ? [runtime, file] : [runtime];
  },
  plan: (args, facts) => {
    const request = requests(args);
    const runtime = facts.get(request.runtime);
    if (runtime.state === "absent") return { kind: "fail", message: `unknown sysctl key ${args.name}: the kernel has no /proc/sys entry for it` };
    if (runtime.state === "unreadable") return { kind: "error", message: `cannot read sysctl ${args.name}: ${runtime.message}` };
    const want = normaliseSysctlValue(args.value);

    let file: { before: string; after: string } | null = null;
    if (args.persist) {
      const content = facts.get(request.file);
      if (content.state === "other") return { kind: "fail", message: `${args.file} exists and is not a regular file` };
      const before = content.state === "file" ? content.content : "";
      const after = setSysctlLine(before, args.name, want);
      if (content.state === "absent" || after !== before) file = { before, after };
    }
    const runtimeRight = runtime.value === want;
    if (runtimeRight && file === null) return ok(args.persist ? `${args.name} is ${want}, persisted in ${args.file}` : `${args.name} is ${want}`, runtime.value);

    const commands: PlannedCommand[] = [];
    const effects: FactEffect[] = [];
    if (!runtimeRight) {
      commands.push({ script: setAndVerifyScript(args.name, want), description: `set ${args.name} to ${want} with sysctl -w and read it back` });
      effects.push({ request: request.runtime, value: { state: "value", value: want } });
    }
    if (file !== null) {
      commands.push({ script: atomicWriteScript({ path: args.file, content: file.after }), description: `write ${args.file} atomically` });
      effects.push({ request: request.file, value: { state: "file", content: file.after } });
    }
    const summary = [runtimeRight ? null : `${args.name}: ${runtime.value} → ${want}`, file === null ? null : `persist ${args.name} = ${want} in ${args.file}`];
    return {
      kind: "change",
      summary: summary.filter((part) => part !== null).join("; "),
      diff: file ?? { before: `${args.name} = ${runtime.value}\n`, after: `${args.name} = ${want}\n` },
      commands,
      effects,
      expected: want,
      actual: runtime.value,
    };
  },
  verifiable: true,
};

function setAndVerifyScript(name: string, value: string): string {
  const quotedName = shellQuote(name);
  return [
    SBIN_PATH,
    `sysctl -q -w ${shellQuote(`${name}=${value}`)}`,
    // The same normalisation as the fact: whitespace runs → one space, ends trimmed.
    `fleet_now=$(sysctl -n ${quotedName} | tr -s '[:space:]' ' ' | sed 's/^ //; s/ $//')`,
    `[ "$fleet_now" = ${shellQuote(value)} ] || { printf 'fleet: sysctl %s reads "%s" after sysctl -w set it to "%s": the kernel did not take the value (rejected, or read-only here)\\n' ${quotedName} "$fleet_now" ${shellQuote(value)} >&2; exit 1; }`,
  ].join("\n");
}

/**
 * Pure edit of a sysctl.d file: every assignment of `name` (in either separator style, with or
 * without the "-" prefix that makes errors non-fatal) that holds another value becomes
 * `name = value`; lines already right are left as written. No assignment: one is appended.
 */
export function setSysctlLine(text: string, name: string, value: string): string {
  const key = canonicalSysctlKey(name);
  let found = false;
  const lines = text.split("\n").map((line) => {
    // a CRLF line is an assignment too (systemd-sysctl and sysctl --system read it so); its \r is kept
    const assignment = /^\s*(-?)\s*([^\s=#;][^\s=]*)\s*=([^\r]*)(\r?)$/.exec(line);
    if (assignment === null || canonicalSysctlKey(assignment[2] ?? "") !== key) return line;
    found = true;
    return normaliseSysctlValue(assignment[3] ?? "") === value ? line : `${assignment[1] ?? ""}${name} = ${value}${assignment[4] ?? ""}`;
  });
  if (found) return lines.join("\n");
  return `${text === "" || text.endsWith("\n") ? text : `${text}\n`}${name} = ${value}\n`;
}

/**
 * sysctl.d(5): "/" and "." both separate; when the first separator is a dot, dots and slashes
 * swap ("net.ipv4.conf.eth0/1.rp_filter" is "net/ipv4/conf/eth0.1/rp_filter"). The slash form.
 */
export function canonicalSysctlKey(key: string): string {
  const first = /[./]/.exec(key)?.[0];
  return first === "." ? key.replace(/[./]/g, (separator) => (separator === "." ? "/" : ".")) : key;
}
