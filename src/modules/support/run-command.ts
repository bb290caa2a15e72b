import path from "node:path";
import { z } from "zod";
import { fileStat, type FileStat } from "../../facts/file.js";
import { fact, type FactReader, type FactRequest } from "../../facts/types.js";
import { shellQuote } from "../../transport/shell-quote.js";
import { ok, type Plan } from "../types.js";

/** The arguments `command` and `shell` share (Ansible's names and meanings). */
export interface RunArgs {
  /** What to run: argv words for `command`, a script for `shell`. */
  cmd: string;
  /** Skip (ok) when this path exists; relative paths are taken from chdir. */
  creates?: string | undefined;
  /** Skip (ok) when this path does not exist; relative paths are taken from chdir. */
  removes?: string | undefined;
  /** Directory to run in. */
  chdir?: string | undefined;
}

const pathArgument = z
  .string()
  .min(1, "must not be empty")
  .refine((value) => !value.includes("\0"), "must not contain a NUL character");

export function runArgsSchema(checkCmd: (cmd: string) => string | null): z.ZodType<RunArgs> {
  return z
    .object({
      cmd: z
        .string()
        .refine((value) => value.trim() !== "", "must not be empty")
        .refine((value) => !value.includes("\0"), "must not contain a NUL character")
        .superRefine((value, context) => {
          const problem = value.trim() === "" || value.includes("\0") ? null : checkCmd(value);
          if (problem !== null) context.addIssue({ code: "custom", message: problem });
        }),
      creates: pathArgument.optional(),
      removes: pathArgument.optional(),
      chdir: pathArgument.optional(),
    })
    .strict();
}

/** creates/removes as the probe must check them: relative to chdir when one is given. */
function guardPath(args: RunArgs, guard: string): string {
  return args.chdir === undefined || path.posix.isAbsolute(guard) ? guard : path.posix.join(args.chdir, guard);
}

export function runFacts(args: RunArgs): FactRequest[] {
  const requests: FactRequest[] = [];
  if (args.creates !== undefined) requests.push(fact(fileStat, guardPath(args, args.creates)));
  if (args.removes !== undefined) requests.push(fact(fileStat, guardPath(args, args.removes)));
  return requests;
}

/**
 * ok when creates exists or removes does not (checked in that order, as Ansible does); otherwise
 * a change that runs `script` (in chdir). The change is an action: nothing predicts its effects.
 */
export function planRun(args: RunArgs, facts: FactReader, script: string, what: string): Plan {
  if (args.creates !== undefined) {
    const creates = guardPath(args, args.creates);
    if (facts.get<FileStat>(fact(fileStat, creates)).exists) return ok(`${creates} exists`);
  }
  if (args.removes !== undefined) {
    const removes = guardPath(args, args.removes);
    if (!facts.get<FileStat>(fact(fileStat, removes)).exists) return ok(`${removes} does not exist`);
  }
  const inDir = args.chdir === undefined ? "" : ` in ${args.chdir}`;
  return {
    kind: "change",
    summary: `run${inDir}: ${oneLine(args.cmd)}`,
    diff: null,
    commands: [
      {
        script: args.chdir === undefined ? script : `cd -- ${shellQuote(args.chdir)}\n${script}`,
        description: `${what}${inDir}: ${oneLine(args.cmd)}`,
      },
    ],
    effects: [],
  };
}

/**
 * The sh command line of a read-only task (changed_when: false), which runs with the probes and
 * whose output is registered: the same guards as the plan (with Ansible's "skipped, since ..."
 * output), then the command in chdir. No `set -e` there, so a failed cd stops it explicitly.
 */
export function readOnlyRun(args: RunArgs, script: string): string {
  const lines: string[] = [];
  if (args.creates !== undefined) {
    const creates = guardPath(args, args.creates);
    lines.push(`if [ -e ${shellQuote(creates)} ]; then printf '%s\\n' ${shellQuote(`skipped, since ${creates} exists`)}; exit 0; fi`);
  }
  if (args.removes !== undefined) {
    const removes = guardPath(args, args.removes);
    lines.push(`if [ ! -e ${shellQuote(removes)} ]; then printf '%s\\n' ${shellQuote(`skipped, since ${removes} does not exist`)}; exit 0; fi`);
  }
  if (args.chdir !== undefined) lines.push(`cd -- ${shellQuote(args.chdir)} || exit`);
  lines.push(script);
  return lines.join("\n");
}

/** The first line of a command, marked when more follows, for one-line summaries. */
function oneLine(cmd: string): string {
  const lines = cmd.trim().split("\n");
  return lines.length > 1 ? `${lines[0] ?? ""} …` : (lines[0] ?? "");
}
