import { z } from "zod";
import { daemonFlags, missingFlags, withDaemonFlags, type WantedDaemonFlags } from "../facts/lxd/daemon-flags.js";
import { LXD_SNAP_DAEMON_ARG, lxdSnapDaemon, snapBoolean, snapDaemonOption, type LxdSnapDaemon, type SnapDaemonOption } from "../facts/lxd/daemon-options.js";
import { LXD_SERVICE_UNIT_ARG, LXD_UNIT, lxdServiceUnit, splitExecPrefix, systemdCommand, systemdWords, type LxdServiceUnit } from "../facts/lxd/daemon-unit.js";
import { LXD_INSTALL_ARG, lxdInstall, SNAP_PID_FILE, type LxdInstall } from "../facts/lxd/install.js";
import { SBIN_PATH } from "../facts/sbin-path.js";
import { fact, type FactRequest } from "../facts/types.js";
import { shellQuote } from "../transport/shell-quote.js";
import { argsObject } from "./support/args.js";
import { ok, type FactEffect, type Module, type Plan, type PlannedCommand } from "./types.js";

export interface LxdDaemonArgs {
  /** --syslog: the daemon logs to syslog (snap daemon.syslog). */
  syslog?: boolean | undefined;
  /** --verbose: info-level logging (snap daemon.verbose). */
  verbose?: boolean | undefined;
  /** --group: the group whose members get full control through the unix socket (snap daemon.group). */
  group?: string | undefined;
  /** The snap's daemon.user.group: the group of lxd-user's restricted socket. */
  user_group?: string | undefined;
}

const groupName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/, "expected a group name such as lxd");

export const lxdDaemonArgs: z.ZodType<LxdDaemonArgs, unknown> = argsObject("lxd_daemon", {
  syslog: z.boolean().optional(),
  verbose: z.boolean().optional(),
  group: groupName.optional(),
  user_group: groupName.optional(),
}).superRefine((args, context) => {
  if (args.syslog === undefined && args.verbose === undefined && args.group === undefined && args.user_group === undefined) {
    context.addIssue({ code: "custom", path: ["syslog"], message: "give at least one of syslog, verbose, group, user_group" });
  }
});

const requests = {
  install: (): FactRequest<LxdInstall> => fact(lxdInstall, LXD_INSTALL_ARG),
  options: (): FactRequest<LxdSnapDaemon> => fact(lxdSnapDaemon, LXD_SNAP_DAEMON_ARG),
  unit: (): FactRequest<LxdServiceUnit> => fact(lxdServiceUnit, LXD_SERVICE_UNIT_ARG),
};

/** The snap options behind each argument. */
const OPTION_OF = { syslog: "daemon.syslog", verbose: "daemon.verbose", group: "daemon.group", user_group: "daemon.user.group" } as const satisfies Record<keyof LxdDaemonArgs, SnapDaemonOption>;

/** Where a drop-in that changes the Debian/packaged daemon's flags goes. */
export const DROP_IN = `/etc/systemd/system/${LXD_UNIT}.d/fleet-daemon-flags.conf`;

/**
 * The LXD daemon's start flags: --syslog, --verbose, --group (and the snap's daemon.user.group).
 * Flags apply only when the daemon starts, so both what will start it and what runs are checked:
 * - snap: the snap options (`snap get lxd daemon.*`) and the running daemon's argv must both
 *   agree; a change sets the options and runs `snap restart --reload lxd` (instances keep running).
 * - package (Debian): the flags are in how the service starts; fleet does not rewrite and restart
 *   that here. The running argv is checked; if it lacks a flag, the plan fails with the exact
 *   systemd drop-in to add.
 */
export const lxdDaemonModule: Module<LxdDaemonArgs> = {
  name: "lxd_daemon",
  description: "LXD daemon flags --syslog, --verbose, --group (snap options + restart; checked on the running daemon)",
  args: lxdDaemonArgs,
  verifiable: true,
  facts: () => [requests.install(), requests.options(), requests.unit()],
  plan: (args, facts) => {
    const install = facts.get(requests.install());
    if (install.kind === "none") return { kind: "not_applicable", reason: "LXD is not installed" };
    const wanted: WantedDaemonFlags = { syslog: args.syslog, verbose: args.verbose, group: args.group };
    return install.kind === "snap" ? planSnap(args, wanted, install, facts.get(requests.options())) : planPackage(args, wanted, install, facts.get(requests.unit()));
  },
};

type Installed = Extract<LxdInstall, { kind: "snap" | "deb" }>;

/** "syslog=true, group=lxd": the arguments as a line for expected/actual. */
function wantedText(args: LxdDaemonArgs): string {
  return (Object.keys(OPTION_OF) as (keyof LxdDaemonArgs)[])
    .filter((name) => args[name] !== undefined)
    .map((name) => `${OPTION_OF[name]}=${String(args[name])}`)
    .join(", ");
}

const argvText = (argv: readonly string[]): string => argv.map(shellQuote).join(" ");

/** "--group lxd --syslog no --verbose": the wanted flags of a packaged daemon. */
function flagsText(wanted: WantedDaemonFlags): string {
  const parts = [wanted.group === undefined ? null : `--group ${wanted.group}`, wanted.syslog === undefined ? null : `${wanted.syslog ? "" : "no "}--syslog`, wanted.verbose === undefined ? null : `${wanted.verbose ? "" : "no "}--verbose`];
  return parts.filter((part) => part !== null).join(", ");
}

function planSnap(args: LxdDaemonArgs, wanted: WantedDaemonFlags, install: Installed, read: LxdSnapDaemon): Plan {
  if (read.state === "no_snap") return { kind: "fail", message: "LXD is installed as a snap (/snap/bin/lxd) but the snap command is missing: cannot read or set its options" };
  if (read.state === "not_installed") return { kind: "fail", message: "/snap/bin/lxd exists but snap says the lxd snap is not installed" };
  if (read.state === "error") return { kind: "error", message: `cannot read the lxd snap's options: ${read.message}` };
  const options = read.options;

  // Options that differ from the wanted values (a never-set option is its default).
  const optionChanges: { option: SnapDaemonOption; from: string; to: string }[] = [];
  for (const name of Object.keys(OPTION_OF) as (keyof LxdDaemonArgs)[]) {
    const value = args[name];
    if (value === undefined) continue;
    const option = OPTION_OF[name];
    const now = snapDaemonOption(options, option);
    const right = typeof value === "boolean" ? snapBoolean(now) === value : now === value;
    if (!right) optionChanges.push({ option, from: options[option] === undefined ? `${now} (never set)` : now, to: String(value) });
  }

  const daemon = install.daemon;
  const missing = daemon === null ? [] : missingFlags(daemon.argv, wanted);
  const userSocketWrong = args.user_group !== undefined && install.userSocketGroup !== null && install.userSocketGroup !== args.user_group;
  const actual = actualSnap(options, install);

  if (optionChanges.length === 0 && missing.length === 0 && !userSocketWrong) {
    const flagsWanted = args.syslog !== undefined || args.verbose !== undefined || args.group !== undefined;
    const running = !flagsWanted ? "" : daemon === null ? " and lxd is not running (it starts on demand, with these options)" : ` and the running lxd (pid ${daemon.pid}) has ${flagsText(wanted)}`;
    const socket = args.user_group === undefined ? "" : install.userSocketGroup === null ? "; lxd-user's socket does not exist yet (it gets the group when lxd-user starts)" : `; lxd-user's socket has group ${install.userSocketGroup}`;
    return ok(`snap options ${wantedText(args)} are in effect${running}${socket}`, actual);
  }

  const commands: PlannedCommand[] = [];
  const groups = [args.group, args.user_group].filter((group): group is string => group !== undefined);
  if (optionChanges.length > 0) {
    commands.push({
      script: [
        SBIN_PATH,
        // daemon.start passes --group only for a group that exists; without it only root could use LXD.
        ...[...new Set(groups)].map((group) => `getent group ${shellQuote(group)} >/dev/null || { printf 'fleet: group %s does not exist: create it first (the snap would start lxd without --group, and only root could use LXD)\\n' ${shellQuote(group)} >&2; exit 1; }`),
        `snap set lxd ${optionChanges.map((change) => shellQuote(`${change.option}=${change.to}`)).join(" ")} </dev/null`,
      ].join("\n"),
      description: `snap set lxd ${optionChanges.map((change) => `${change.option}=${change.to}`).join(" ")}`,
    });
  }
  // Flags are read at start: restart a running daemon whose argv lacks them (set or not by this task).
  const restart = daemon !== null && (missing.length > 0 || optionChanges.some((change) => change.option !== "daemon.user.group"));
  if (restart && daemon !== null) {
    commands.push({
      script: [
        SBIN_PATH,
        "snap restart --reload lxd </dev/null",
        // snapd returns once the old daemon is told to stop; the snap's daemon.start then writes the
        // new pid. Wait for it (up to a minute), so that waitready does not answer for the old one.
        `fleet_wait=0; while [ "$(cat ${SNAP_PID_FILE} 2>/dev/null)" = ${daemon.pid} ] && [ $fleet_wait -lt 600 ]; do sleep 0.1; fleet_wait=$((fleet_wait + 1)); done`,
        `${shellQuote(install.lxd ?? "/snap/bin/lxd")} waitready --timeout=600 </dev/null`,
      ].join("\n"),
      description: "snap restart --reload lxd (instances keep running), then wait until the new daemon is ready",
    });
  }

  const newOptions = { ...options };
  for (const change of optionChanges) newOptions[change.option] = change.to;
  const effects: FactEffect[] = [];
  if (optionChanges.length > 0) effects.push({ request: requests.options(), value: { state: "options", options: newOptions } });
  const newInstall: Installed = {
    ...install,
    // The restarted daemon gets a new pid, which cannot be known before: the old one is kept.
    daemon: daemon === null || !restart ? daemon : { ...daemon, argv: withDaemonFlags(daemon.argv, wanted) },
    socketGroup: restart && args.group !== undefined && install.socketGroup !== null ? args.group : install.socketGroup,
    userSocketGroup: args.user_group !== undefined && install.userSocketGroup !== null ? args.user_group : install.userSocketGroup,
  };
  if (restart || userSocketWrong) effects.push({ request: requests.install(), value: newInstall });

  const parts = [
    ...optionChanges.map((change) => `${change.option}: ${change.from} → ${change.to}`),
    ...(restart ? [daemon !== null && missing.length > 0 ? `restart lxd (pid ${daemon.pid} needs ${missing.join(", ")})` : "restart lxd to apply them"] : []),
    ...(userSocketWrong ? [`lxd-user socket group ${install.userSocketGroup ?? ""} → ${args.user_group ?? ""}`] : []),
  ];
  if (commands.length === 0) {
    // Only the lxd-user socket is off: the configure hook re-applies its group on `snap set`.
    commands.push({ script: [SBIN_PATH, `snap set lxd ${shellQuote(`daemon.user.group=${args.user_group ?? ""}`)} </dev/null`].join("\n"), description: `snap set lxd daemon.user.group=${args.user_group ?? ""} (re-applies the lxd-user socket's group)` });
  }
  return {
    kind: "change",
    summary: parts.join("; "),
    diff: { before: snapStateText(options, daemon?.argv ?? null), after: snapStateText(newOptions, newInstall.daemon?.argv ?? null) },
    commands,
    effects,
    expected: wantedText(args),
    actual,
  };
}

function actualSnap(options: Record<string, string>, install: Installed): string {
  const shownOptions = (Object.values(OPTION_OF) as SnapDaemonOption[]).map((option) => `${option}=${snapDaemonOption(options, option)}${options[option] === undefined ? " (never set)" : ""}`);
  const running = install.daemon === null ? "lxd not running" : `running: ${argvText(install.daemon.argv)}`;
  return `${shownOptions.join(", ")}; ${running}`;
}

function snapStateText(options: Record<string, string>, argv: readonly string[] | null): string {
  const lines = (Object.values(OPTION_OF) as SnapDaemonOption[]).map((option) => `${option}: ${snapDaemonOption(options, option)}${options[option] === undefined ? " (never set)" : ""}\n`);
  return `${lines.join("")}running: ${argv === null ? "(not running)" : argvText(argv)}\n`;
}

function planPackage(args: LxdDaemonArgs, wanted: WantedDaemonFlags, install: Installed, unit: LxdServiceUnit): Plan {
  const userGroupNote = args.user_group === undefined ? [] : ["user_group is the snap's daemon.user.group: a packaged LXD has no such setting (not checked)"];
  const flagsWanted = wanted.syslog !== undefined || wanted.verbose !== undefined || wanted.group !== undefined;
  if (!flagsWanted) return { kind: "not_applicable", reason: `LXD is installed as a package (${install.lxd ?? "lxd"}), not the snap: ${userGroupNote.join("")}` };
  const expected = flagsText(wanted);
  const daemon = install.daemon;
  if (daemon === null) {
    return { kind: "fail", message: `the LXD daemon is not running on this host (no lxd process in its mount namespace; ${install.daemonNotFound ?? "none seen"}), so its flags cannot be checked: start it (${startHint(unit)}) and run again`, expected, actual: "lxd not running" };
  }
  const actual = `running: ${argvText(daemon.argv)}`;
  const missing = missingFlags(daemon.argv, wanted);
  if (missing.length === 0) {
    const now = daemonFlags(daemon.argv);
    const held = [wanted.group !== undefined ? `--group ${now.group ?? ""}` : null, wanted.syslog !== undefined ? `${now.syslog ? "" : "no "}--syslog` : null, wanted.verbose !== undefined ? `${now.verbose ? "" : "no "}--verbose` : null];
    return ok([`the running lxd (pid ${daemon.pid}) has ${held.filter((part) => part !== null).join(", ")}`, ...userGroupNote].join("; "), actual);
  }
  return { kind: "fail", message: [`the running lxd (pid ${daemon.pid}) needs ${missing.join(", ")}: it was started as \`${argvText(daemon.argv)}\`.`, packageRemediation(wanted, daemon.argv, unit), ...userGroupNote].join(" "), expected, actual };
}

function startHint(unit: LxdServiceUnit): string {
  if (unit.source !== "none" && unit.systemctlMessage === null) return `systemctl start ${LXD_UNIT}`;
  return unit.sysvinit ? "/etc/init.d/lxd start" : `systemctl start ${LXD_UNIT}`;
}

/**
 * The fix for a packaged daemon, in words and exact text: a drop-in that resets ExecStart to the
 * unit's own command plus the flags, then a restart (KillMode=process in Debian's unit: instances
 * keep running). Not applied by fleet: restarting a packaged daemon with new flags is a decision
 * for the operator (and impossible where systemd does not run).
 */
export function packageRemediation(wanted: WantedDaemonFlags, runningArgv: readonly string[], unit: LxdServiceUnit): string {
  const viaSystemctl = unit.systemctlMessage === null;
  const sourceNote = unit.source === "none" ? "" : viaSystemctl ? ` (from systemctl cat ${LXD_UNIT})` : ` (read from ${unit.files.join(", ")} because systemctl could not be used: ${unit.systemctlMessage ?? ""})`;
  if (unit.source === "none" || unit.execStart === null) {
    const why = unit.systemctlMessage === null ? `there is no ${LXD_UNIT} unit` : `no ${LXD_UNIT} unit was found and systemctl could not be used (${unit.systemctlMessage})`;
    return `Fix: ${why}, so add the flags where this host starts lxd: start it as \`${argvText(withDaemonFlags(runningArgv, wanted))}\`.`;
  }
  const { prefix, command } = splitExecPrefix(unit.execStart);
  const words = systemdWords(command);
  const fixed = withDaemonFlags(words, wanted);
  const unchanged = fixed.length === words.length && fixed.every((word, index) => word === words[index]);
  const noSystemd = unit.systemctlMessage !== null && unit.sysvinit ? ` This host does not run systemd: /etc/init.d/lxd starts lxd there, so put the same flags in its start-stop-daemon line (after "--").` : "";
  if (unchanged) {
    return `Fix: ${LXD_UNIT} already starts lxd with them (ExecStart=${unit.execStart}${sourceNote}); the running daemon was started otherwise: restart it through the unit with \`systemctl restart ${LXD_UNIT}\`.${noSystemd}`;
  }
  const dropIn = `[Service]\nExecStart=\nExecStart=${prefix}${systemdCommand(fixed)}\n`;
  return `Fix: ${LXD_UNIT} starts \`${unit.execStart}\`${sourceNote}; write ${DROP_IN} with\n${dropIn}then run \`systemctl daemon-reload && systemctl restart ${LXD_UNIT}\`${unit.killMode === "process" ? " (instances keep running: the unit has KillMode=process)" : ""}.${noSystemd}`;
}
