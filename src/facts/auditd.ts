import { canonicalLoadedRules } from "./audit-rule.js";
import { FactParseError } from "./errors.js";
import { SBIN_PATH } from "./sbin-path.js";
import type { FactKind } from "./types.js";

const NO_AUDITCTL = "fleet:no-auditctl";
const guarded = (command: string): string => `${SBIN_PATH}; command -v auditctl >/dev/null 2>&1 || { echo ${NO_AUDITCTL}; exit 0; }; ${command}`;

/** `auditctl -s`: whether auditd's tools are here, and the kernel's audit state. */
export type AuditStatus =
  | { state: "absent" }
  /** auditctl ran and failed (not root, no audit support in this kernel or container). */
  | { state: "error"; message: string }
  /** enabled: 0 off, 1 on, 2 on and immutable (rules are locked until reboot). */
  | { state: "present"; enabled: number };

/** The fact takes no argument: request it with arg "". */
export const auditStatus: FactKind<AuditStatus> = {
  name: "audit_status",
  probe: () => guarded("auditctl -s"),
  parse: (raw, arg) => {
    if (raw.stdout.trim() === NO_AUDITCTL) return { state: "absent" };
    if (raw.exitCode !== 0) return { state: "error", message: raw.stderr.trim() || `auditctl -s exited with status ${raw.exitCode}` };
    const enabled = /^enabled (\d+)$/m.exec(raw.stdout)?.[1];
    if (enabled === undefined) throw new FactParseError("audit_status", arg, `no "enabled" line in ${JSON.stringify(raw.stdout.slice(0, 200))}`);
    return { state: "present", enabled: Number(enabled) };
  },
};

/** `auditctl -l`: the loaded rules, each in its canonical text (see audit-rule.ts), sorted. */
export type LoadedAuditRules = { state: "absent" } | { state: "error"; message: string } | { state: "loaded"; rules: string[] };

/** The fact takes no argument: request it with arg "". */
export const loadedAuditRules: FactKind<LoadedAuditRules> = {
  name: "audit_rules",
  probe: () => guarded("auditctl -l"),
  parse: (raw) => {
    if (raw.stdout.trim() === NO_AUDITCTL) return { state: "absent" };
    if (raw.exitCode !== 0) return { state: "error", message: raw.stderr.trim() || `auditctl -l exited with status ${raw.exitCode}` };
    return { state: "loaded", rules: canonicalLoadedRules(raw.stdout) };
  },
};
