/**
 * One audit rule in a canonical text, so that a rule as written in a rules file and the same rule
 * as `auditctl -l` prints it compare equal. What auditctl 3.0.9 (Debian 12) prints differs from
 * what was written (see the captured pairs in test/fixtures/facts/auditctl-rules.json):
 *  - `-a exit,always` prints as `-a always,exit`;
 *  - a rule of nothing but a path (or dir), a perm and keys, on all syscalls and without arch,
 *    prints as a watch: `-a always,exit -F path=/usr/bin/lxc -p x -k k` → `-w /usr/bin/lxc -p x -k k`;
 *  - any other rule prints `-p x` as `-F perm=x`, `-k k` as `-F key=k`, and `-S all` when no
 *    syscall was named; its syscalls come as one comma list in syscall-number order;
 *  - id fields print numbers (`auid!=unset` → `auid!=-1`, `uid=root` → `uid=0`), arch prints as
 *    b64/b32 (`arch=x86_64` → `arch=b64`), a0..a3 print in hex, perms in the order rwxa;
 *  - `-w` without `-p` gets every permission (`-p rwxa`);
 *  - a dir watch prints as `-w DIR` with or without a trailing slash, depending on how it was
 *    written, so a listed watch cannot tell path from dir: both are the field `path` here.
 * The canonical text is itself a valid rule: `-a ACTION,LIST [-F arch=A] [-S CALLS] FIELDS KEYS`,
 * fields and keys sorted (their order does not change what a rule matches).
 */
export class AuditRuleError extends Error {}

const ACTIONS = new Set(["always", "never", "possible"]);
const LISTS = new Set(["task", "entry", "exit", "user", "exclude", "filesystem", "io_uring"]);
/** Filters that take no syscall list (auditctl prints no -S for them). */
const NO_SYSCALL_LISTS = new Set(["task", "user", "exclude"]);
const ID_FIELDS = new Set(["uid", "euid", "suid", "fsuid", "auid", "loginuid", "obj_uid", "gid", "egid", "sgid", "fsgid", "obj_gid"]);
const ARCH_64 = new Set(["b64", "x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "riscv64", "mips64", "mips64el"]);
const ARCH_32 = new Set(["b32", "i386", "i486", "i586", "i686", "arm", "armeb", "armv5tejl", "armv7l", "ppc", "s390", "mips", "mipsel"]);
const FIELD = /^([A-Za-z0-9_]+)(!=|>=|<=|&=|=|>|<|&)(.*)$/;
const PERMS = "rwxa";

interface AuditRule {
  action: string;
  list: string;
  /** Operator and value: "=b64". */
  arch: string | null;
  syscalls: string[];
  /** Rendered options: "-F path=/x", "-C uid!=euid". */
  fields: string[];
  keys: string[];
}

/** The words of one rule (auditctl's arguments) → its canonical text. Throws AuditRuleError. */
export function canonicalAuditRule(words: readonly string[]): string {
  return render(parse(words));
}

/** Why these words are not a rule fleet can compare (a control option, a typo), or null. */
export function auditRuleProblem(words: readonly string[]): string | null {
  try {
    parse(words);
    return null;
  } catch (error) {
    if (error instanceof AuditRuleError) return error.message;
    throw error;
  }
}

/**
 * `auditctl -l` → the canonical texts of the loaded rules, sorted. A line fleet cannot read (a
 * field auditctl prints as `f12=3`, a value with a space) is kept as `? LINE`: it never equals a
 * written rule, and it shows up as is in reports.
 */
export function canonicalLoadedRules(listing: string): string[] {
  const rules = new Set<string>();
  for (const line of listing.split("\n").map((text) => text.trim())) {
    if (line === "" || line === "No rules") continue;
    try {
      rules.add(canonicalAuditRule(line.split(/\s+/)));
    } catch (error) {
      if (!(error instanceof AuditRuleError)) throw error;
      rules.add(`? ${line}`);
    }
  }
  return [...rules].sort();
}

function parse(words: readonly string[]): AuditRule {
  let head: { action: string; list: string } | null = null;
  let watch: string | null = null;
  let perm: string | null = null;
  let arch: string | null = null;
  const syscalls = new Set<string>();
  const fields: string[] = [];
  const keys: string[] = [];

  for (let index = 0; index < words.length; index += 2) {
    const option = words[index] ?? "";
    const value = words[index + 1];
    if (!option.startsWith("-")) throw new AuditRuleError(`unexpected word ${JSON.stringify(option)} (options come as -X VALUE pairs)`);
    if (value === undefined) throw new AuditRuleError(`${option} needs a value`);
    if (/\s/.test(value)) throw new AuditRuleError(`${option} ${JSON.stringify(value)}: auditctl -l prints values unquoted, so one with a space cannot be compared`);
    switch (option) {
      case "-a":
      case "-A":
        if (head !== null || watch !== null) throw new AuditRuleError("a rule has one -a, -A or -w");
        head = parseHead(value);
        break;
      case "-w":
        if (head !== null || watch !== null) throw new AuditRuleError("a rule has one -a, -A or -w");
        watch = stripSlashes(value);
        break;
      case "-p":
        if (perm !== null) throw new AuditRuleError("the permissions are given twice");
        perm = normalisePerm(value);
        break;
      case "-k":
        keys.push(value);
        break;
      case "-S":
        for (const call of value.split(",")) if (call !== "" && call !== "all") syscalls.add(call);
        break;
      case "-C":
        if (!FIELD.test(value)) throw new AuditRuleError(`-C ${value}: expected FIELD OPERATOR FIELD`);
        fields.push(`-C ${value}`);
        break;
      case "-F": {
        const match = FIELD.exec(value);
        if (match === null) throw new AuditRuleError(`-F ${value}: expected NAME OPERATOR VALUE`);
        const [, name = "", operator = "", fieldValue = ""] = match;
        if (name === "arch") arch = `${operator}${normaliseArch(fieldValue)}`;
        else if (name === "key" && operator === "=") keys.push(fieldValue);
        else if (name === "perm" && operator === "=") {
          if (perm !== null) throw new AuditRuleError("the permissions are given twice");
          perm = normalisePerm(fieldValue);
        } else if ((name === "path" || name === "dir") && operator === "=") fields.push(`-F path=${stripSlashes(fieldValue)}`);
        else fields.push(`-F ${name}${operator}${normaliseValue(name, fieldValue)}`);
        break;
      }
      default:
        throw new AuditRuleError(`${option} is not part of an audit rule (fleet manages -a, -A and -w rules with -F, -C, -S, -p and -k)`);
    }
  }

  if (watch !== null) {
    if (arch !== null || syscalls.size > 0) throw new AuditRuleError("a -w watch takes no arch or syscalls (write it as -a always,exit -F path=...)");
    fields.push(`-F path=${watch}`);
    perm ??= PERMS;
    head = { action: "always", list: "exit" };
  }
  if (head === null) throw new AuditRuleError("a rule needs -a, -A or -w");
  if (perm !== null) fields.push(`-F perm=${perm}`);
  return { ...head, arch, syscalls: [...syscalls].sort(), fields: fields.sort(), keys: keys.sort() };
}

function render(rule: AuditRule): string {
  const parts = [`-a ${rule.action},${rule.list}`];
  if (rule.arch !== null) parts.push(`-F arch${rule.arch}`);
  if (!NO_SYSCALL_LISTS.has(rule.list)) parts.push(`-S ${rule.syscalls.length === 0 ? "all" : rule.syscalls.join(",")}`);
  parts.push(...rule.fields, ...rule.keys.map((key) => `-F key=${key}`));
  return parts.join(" ");
}

function parseHead(value: string): { action: string; list: string } {
  const [first = "", second = "", ...rest] = value.split(",");
  if (rest.length === 0) {
    if (ACTIONS.has(first) && LISTS.has(second)) return { action: first, list: second };
    if (LISTS.has(first) && ACTIONS.has(second)) return { action: second, list: first };
  }
  throw new AuditRuleError(`-a ${value}: expected ACTION,LIST (always or never, and exit, user, task, exclude or filesystem)`);
}

function normalisePerm(value: string): string {
  if (!/^[rwxa]+$/.test(value)) throw new AuditRuleError(`permissions ${JSON.stringify(value)}: expected letters of rwxa`);
  return [...PERMS].filter((letter) => value.includes(letter)).join("");
}

function normaliseArch(value: string): string {
  if (ARCH_64.has(value)) return "b64";
  if (ARCH_32.has(value)) return "b32";
  return value;
}

function normaliseValue(name: string, value: string): string {
  if (ID_FIELDS.has(name)) {
    if (value === "unset" || value === "4294967295") return "-1";
    if (value === "root") return "0";
  }
  if (/^a[0-3]$/.test(name) && /^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(value)) return `0x${Number(value).toString(16).toUpperCase()}`;
  return value;
}

/** "/etc/ssh/" → "/etc/ssh"; "/" stays. */
const stripSlashes = (path: string): string => path.replace(/(.)\/+$/, "$1");
