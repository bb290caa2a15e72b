import { shellQuote } from "../transport/shell-quote.js";
import { SBIN_PATH } from "./sbin-path.js";
import type { FactKind } from "./types.js";

/** A kernel parameter as `sysctl -n` reads it now. */
export type SysctlValue =
  | { state: "value"; value: string }
  /** No such key on this kernel (no file under /proc/sys). */
  | { state: "absent" }
  /** The key exists but could not be read (permission, sysctl missing): what sysctl said. */
  | { state: "unreadable"; message: string };

/**
 * The kernel prints some values with tabs ("4\t4\t1\t7" for kernel.printk) and users write them
 * with spaces: every run of whitespace becomes one space, and the ends are trimmed.
 */
export const normaliseSysctlValue = (text: string): string => text.replace(/\s+/g, " ").trim();

export const sysctlValue: FactKind<SysctlValue> = {
  name: "sysctl",
  probe: (name) => `${SBIN_PATH}; sysctl -n ${shellQuote(name)}`,
  parse: (raw) => {
    const stderr = raw.stderr.trim();
    if (/cannot stat .*No such file or directory/.test(stderr)) return { state: "absent" };
    if (raw.exitCode === 0 && stderr === "") return { state: "value", value: normaliseSysctlValue(raw.stdout) };
    return { state: "unreadable", message: stderr || `sysctl exited with status ${raw.exitCode}` };
  },
};
