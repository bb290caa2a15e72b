/**
 * The flags of an `lxd` daemon command line (its argv, or the words of a unit's ExecStart): what
 * is in effect, and the same command line with some flags changed. Pure.
 *
 * LXD's root command (lxd/main.go, cobra/pflag) takes --group G, --logfile F, --syslog,
 * -v/--verbose, -d/--debug and --trace; booleans also as --syslog=false, short ones bundled (-dv),
 * and the last occurrence wins.
 */

export type DaemonFlags = {
  syslog: boolean;
  verbose: boolean;
  debug: boolean;
  /** --group: the group that gets the unix socket (full control); null = root only. */
  group: string | null;
  logfile: string | null;
};

/** The flags fleet manages. */
export type WantedDaemonFlags = { syslog?: boolean | undefined; verbose?: boolean | undefined; group?: string | undefined };

type BoolFlag = "syslog" | "verbose" | "debug";
const LONG_BOOL: Readonly<Record<string, BoolFlag>> = { syslog: "syslog", verbose: "verbose", debug: "debug" };
const SHORT_BOOL: Readonly<Record<string, BoolFlag>> = { v: "verbose", d: "debug" };
const STRING_FLAGS = new Set(["group", "logfile", "trace"]);

/** One parsed argument: what it sets, and how many words it took. */
type Token =
  | { kind: "bool"; flag: BoolFlag; value: boolean; words: 1 }
  | { kind: "bools"; flags: BoolFlag[]; words: 1 }
  | { kind: "string"; flag: string; value: string; words: 1 | 2 }
  | { kind: "other"; words: 1 };

function tokenAt(argv: readonly string[], index: number): Token {
  const word = argv[index] ?? "";
  const long = /^--([a-z-]+)(?:=(.*))?$/s.exec(word);
  if (long !== null) {
    const [, name = "", inline] = long;
    const bool = LONG_BOOL[name];
    if (bool !== undefined) return { kind: "bool", flag: bool, value: inline === undefined ? true : inline !== "false" && inline !== "0", words: 1 };
    if (STRING_FLAGS.has(name)) {
      return inline === undefined ? { kind: "string", flag: name, value: argv[index + 1] ?? "", words: 2 } : { kind: "string", flag: name, value: inline, words: 1 };
    }
    return { kind: "other", words: 1 };
  }
  const short = /^-([a-z]+)$/.exec(word);
  if (short !== null) {
    const flags = [...(short[1] ?? "")].map((letter) => SHORT_BOOL[letter]);
    if (flags.every((flag): flag is BoolFlag => flag !== undefined)) return { kind: "bools", flags, words: 1 };
  }
  return { kind: "other", words: 1 };
}

/** The daemon flags of a command line (argv[0] is the program). */
export function daemonFlags(argv: readonly string[]): DaemonFlags {
  const flags: DaemonFlags = { syslog: false, verbose: false, debug: false, group: null, logfile: null };
  for (let index = 1; index < argv.length; ) {
    const token = tokenAt(argv, index);
    if (token.kind === "bool") flags[token.flag] = token.value;
    else if (token.kind === "bools") for (const flag of token.flags) flags[flag] = true;
    else if (token.kind === "string" && token.flag === "group") flags.group = token.value;
    else if (token.kind === "string" && token.flag === "logfile") flags.logfile = token.value;
    index += token.words;
  }
  return flags;
}

/** The wanted flags that the command line does not have, as words ("--syslog", "no --verbose", "--group lxd"). */
export function missingFlags(argv: readonly string[], wanted: WantedDaemonFlags): string[] {
  const now = daemonFlags(argv);
  const missing: string[] = [];
  if (wanted.group !== undefined && now.group !== wanted.group) missing.push(`--group ${wanted.group}`);
  if (wanted.syslog !== undefined && now.syslog !== wanted.syslog) missing.push(wanted.syslog ? "--syslog" : "no --syslog");
  if (wanted.verbose !== undefined && now.verbose !== wanted.verbose) missing.push(wanted.verbose ? "--verbose" : "no --verbose");
  return missing;
}

/**
 * The command line with the wanted flags: a flag already right stays as written; a wrong one is
 * removed (every occurrence) and, when it should be on, appended in the order the snap's
 * daemon.start uses (--group, --syslog, --verbose).
 */
export function withDaemonFlags(argv: readonly string[], wanted: WantedDaemonFlags): string[] {
  const now = daemonFlags(argv);
  const fixGroup = wanted.group !== undefined && now.group !== wanted.group;
  const fix: Partial<Record<BoolFlag, boolean>> = {};
  if (wanted.syslog !== undefined && now.syslog !== wanted.syslog) fix.syslog = wanted.syslog;
  if (wanted.verbose !== undefined && now.verbose !== wanted.verbose) fix.verbose = wanted.verbose;
  const out = argv.slice(0, 1);
  for (let index = 1; index < argv.length; ) {
    const token = tokenAt(argv, index);
    const words = argv.slice(index, index + token.words);
    index += token.words;
    if (token.kind === "bool" && token.flag in fix) continue;
    if (token.kind === "string" && token.flag === "group" && fixGroup) continue;
    if (token.kind === "bools") {
      const kept = token.flags.filter((flag) => !(flag in fix));
      if (kept.length > 0) out.push(`-${kept.map((flag) => (flag === "verbose" ? "v" : "d")).join("")}`);
      continue;
    }
    out.push(...words);
  }
  if (fixGroup && wanted.group !== undefined) out.push("--group", wanted.group);
  if (fix.syslog === true) out.push("--syslog");
  if (fix.verbose === true) out.push("--verbose");
  return out;
}
