import { z } from "zod";
import { fileStat } from "../facts/file.js";
import { fact } from "../facts/types.js";
import { absolutePath, argsObject, attributeShape } from "./support/args.js";
import {
  attributeChanges,
  attributeCommands,
  attributeDiff,
  describeAttributes,
  describeChanges,
  effect,
  observedAttributes,
  withAttributes,
  type WantedAttributes,
} from "./support/attributes.js";
import { fileWriteFacts, planFileWrite, readCurrentFile } from "./support/file-write.js";
import { splitLines } from "./support/line-edit.js";
import type { Module, Plan } from "./types.js";

export const DEFAULT_TMPFILES_CONF = "/etc/tmpfiles.d/fleet.conf";

/** What a new conf file starts with. */
export const TMPFILES_HEADER = "# Managed by fleet (tmpfiles module): one line per path, rewritten on every run.\n";

/**
 * A path tmpfiles.d reads back as written: no whitespace or quotes (field separators), no "\"
 * (escapes), no "%" (specifiers) and no glob characters (z lines expand globs; fleet applies the
 * mode to the one path it names).
 */
const tmpfilesPath = absolutePath.superRefine((path, ctx) => {
  const bad = /[\s"'\\%*?[\]]/.exec(path);
  if (bad !== null) ctx.addIssue({ code: "custom", message: `must not contain ${JSON.stringify(bad[0])}: tmpfiles.d would read it as a separator, escape, specifier or glob` });
});

export const tmpfilesArgs = argsObject("tmpfiles", {
  path: tmpfilesPath,
  ...attributeShape,
  /** The tmpfiles.d file that keeps the line (one per path). */
  conf: absolutePath.default(DEFAULT_TMPFILES_CONF),
}).superRefine((args, ctx) => {
  if (args.mode === undefined && args.owner === undefined && args.group === undefined) ctx.addIssue({ code: "custom", path: ["mode"], message: "give at least one of mode, owner, group" });
  if (!args.conf.endsWith(".conf")) ctx.addIssue({ code: "custom", path: ["conf"], message: `must end in .conf, or systemd-tmpfiles ignores it (got ${JSON.stringify(args.conf)})` });
});

export type TmpfilesArgs = z.output<typeof tmpfilesArgs>;

/** `z PATH MODE OWNER GROUP -`, "-" for what is not set. */
export const tmpfilesLine = (args: Pick<TmpfilesArgs, "path" | "mode" | "owner" | "group">): string => `z ${args.path} ${args.mode ?? "-"} ${args.owner ?? "-"} ${args.group ?? "-"} -`;

/**
 * Pure: the conf text with `line` as the one line of `path` (the first line naming it replaced in
 * place, later ones dropped; appended when none), and the lines that named the path before.
 */
export function setTmpfilesLine(text: string, path: string, line: string): { text: string; previous: string[] } {
  const previous: string[] = [];
  const lines: string[] = [];
  for (const current of splitLines(text)) {
    const fields = current.trim().split(/\s+/);
    if (current.trim().startsWith("#") || fields[1] !== path) {
      lines.push(current);
      continue;
    }
    if (previous.length === 0) lines.push(`${line}\n`);
    previous.push(current.replace(/[\r\n]+$/, ""));
  }
  if (previous.length === 0) {
    const last = lines.length - 1;
    if (last >= 0 && !(lines[last] ?? "").endsWith("\n")) lines[last] = `${lines[last] ?? ""}\n`;
    lines.push(`${line}\n`);
  }
  return { text: lines.join(""), previous };
}

/**
 * Persists a path's mode/owner/group as a tmpfiles.d `z` line (so it survives a reboot: chmod
 * on /proc and /sys is lost then) and applies it now with chown/chmod. ok only when the line is
 * there and the live stat is right; a path missing on this host is not_applicable.
 */
export const tmpfilesModule: Module<TmpfilesArgs> = {
  name: "tmpfiles",
  description: "Keep a tmpfiles.d `z` line for a path's mode/owner/group (persisted across reboots) and apply it now.",
  args: tmpfilesArgs,
  verifiable: true,
  facts: (args) => [fact(fileStat, args.path), ...fileWriteFacts(args.conf)],
  plan: (args, facts) => {
    const { path, conf } = args;
    const wanted: WantedAttributes = { mode: args.mode, owner: args.owner, group: args.group };
    const line = tmpfilesLine(args);
    const expected = `${describeAttributes(wanted)}; ${conf}: ${line}`;
    const live = facts.get(fact(fileStat, path));
    if (!live.exists) return { kind: "not_applicable", reason: `${path} does not exist on this host` };

    const current = readCurrentFile(facts, conf);
    if (current.kind === "unusable") return { kind: "fail", message: `${conf} ${current.problem}`, expected, actual: current.problem };
    if (current.kind === "binary") return { kind: "fail", message: `${conf} is not UTF-8 text: fleet will not rewrite it`, expected, actual: "not UTF-8 text" };
    const { text, previous } = setTmpfilesLine(current.kind === "absent" ? TMPFILES_HEADER : current.text, path, line);
    const confChanges = current.kind === "absent" || text !== current.text;
    const liveChanges = attributeChanges(live, wanted);
    const found = previous.length === 0 ? "no line" : previous.join(" | ");
    const actual = `${describeAttributes(observedAttributes(live, wanted))}; ${conf}: ${current.kind === "absent" ? "absent" : found}`;
    if (!confChanges && liveChanges.length === 0) {
      return { kind: "ok", reason: `${conf} has ${JSON.stringify(line)} and ${path} already has ${describeAttributes(observedAttributes(live, wanted))}`, actual };
    }

    let write: Extract<Plan, { kind: "change" }> | null = null;
    if (confChanges) {
      const planned = planFileWrite({ path: conf }, text, facts);
      if (planned.kind === "fail") return { ...planned, expected, actual };
      if (planned.kind === "change") write = planned;
    }
    const summary = [
      write === null ? "" : `${previous.length === 0 ? "add" : "replace"} ${JSON.stringify(line)} in ${conf}${previous.length === 0 ? "" : ` (was ${found})`}`,
      liveChanges.length === 0 ? "" : `${path}: ${describeChanges(liveChanges)}`,
    ].filter((part) => part !== "");
    return {
      kind: "change",
      summary: summary.join("; "),
      diff: write?.diff ?? attributeDiff(liveChanges),
      // the live change first: the line is persisted once the attributes demonstrably apply
      commands: [...attributeCommands(path, live, wanted), ...(write?.commands ?? [])],
      effects: [...(liveChanges.length === 0 ? [] : [effect(fact(fileStat, path), withAttributes(live, wanted))]), ...(write?.effects ?? [])],
      expected,
      actual,
    };
  },
};
