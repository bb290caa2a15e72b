import { z } from "zod";
import { absolutePath, argsObject, modeArg } from "./support/args.js";
import { describeAttributes, joinParts } from "./support/attributes.js";
import { fileWriteFacts, planFileWrite, readCurrentFile } from "./support/file-write.js";
import { applyLineEdit, type LineEdit, type LineOutcome } from "./support/line-edit.js";
import type { Module, Plan } from "./types.js";

export const lineinfileArgs = argsObject("lineinfile", {
  path: absolutePath,
  line: z
    .string()
    .refine((line) => !/[\r\n]/.test(line), { message: "must be one line (no newline or carriage return)" })
    .optional(),
  /** JavaScript regular expression syntax, tested against each line without its newline. */
  regexp: z
    .string()
    .superRefine((source, ctx) => {
      if (source === "") ctx.addIssue({ code: "custom", message: 'an empty regexp matches every line: write "^" if that is meant' });
      else {
        const problem = regexpProblem(source);
        if (problem !== null) ctx.addIssue({ code: "custom", message: `is not a valid regular expression (JavaScript syntax): ${problem}` });
      }
    })
    .optional(),
  state: z.enum(["present", "absent"]).default("present"),
  create: z.boolean().default(false),
  mode: modeArg.optional(),
}).superRefine((args, ctx) => {
  if (args.state === "present" && args.line === undefined) ctx.addIssue({ code: "custom", path: ["line"], message: "line is required with state: present" });
  if (args.state === "absent" && args.line === undefined && args.regexp === undefined) ctx.addIssue({ code: "custom", path: ["regexp"], message: "give line or regexp with state: absent" });
  if (args.state === "absent" && args.create) ctx.addIssue({ code: "custom", path: ["create"], message: "create makes no sense with state: absent" });
});

export type LineinfileArgs = z.output<typeof lineinfileArgs>;

function regexpProblem(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The edit the arguments ask for (the regexp compiled here: arguments stay plain data). */
export function editOf(args: LineinfileArgs): LineEdit {
  const regexp = args.regexp === undefined ? undefined : new RegExp(args.regexp);
  return args.state === "present" ? { state: "present", line: args.line ?? "", regexp } : { state: "absent", line: args.line, regexp };
}

/** Ensures one line is in a text file (replacing the last line a regexp matches) or that no matching line is. */
export const lineinfileModule: Module<LineinfileArgs> = {
  name: "lineinfile",
  description: "Ensure a line is in a text file (replacing the last line regexp matches) or that no matching line is; create: true makes the file.",
  args: lineinfileArgs,
  verifiable: true,
  facts: (args) => fileWriteFacts(args.path),
  plan: (args, facts) => {
    const { path } = args;
    const edit = editOf(args);
    const attributes = describeAttributes({ mode: args.mode });
    const expected = joinParts(args.state === "present" ? `line ${JSON.stringify(args.line)}` : `no line ${matcherWords(args)}`, attributes);
    const current = readCurrentFile(facts, path);
    const target = { path, mode: args.mode };
    switch (current.kind) {
      case "unusable":
        return { kind: "fail", message: `${path} ${current.problem}`, expected, actual: current.problem };
      case "binary":
        return { kind: "fail", message: `${path} is not UTF-8 text: lineinfile will not rewrite it`, expected, actual: "not UTF-8 text" };
      case "absent":
        if (args.state === "absent") return { kind: "ok", reason: `${path} does not exist: no line to remove`, actual: "file absent" };
        if (!args.create) return { kind: "fail", message: `${path} does not exist (set create: true to create it)`, expected, actual: "file absent" };
        return planFileWrite(target, applyLineEdit("", edit).text, facts, { contentChange: "with the line", expected, actual: "file absent" });
      case "text": {
        const { text, outcome } = applyLineEdit(current.text, edit);
        return planFileWrite(target, text, facts, { contentOk: okReason(path, args, outcome), contentChange: changeWords(outcome), expected, actual: joinParts(actualWords(args, outcome), describeAttributes({ mode: args.mode === undefined ? undefined : current.stat.mode })) }) satisfies Plan;
      }
    }
  },
};

const matcherWords = (args: LineinfileArgs): string => (args.regexp === undefined ? JSON.stringify(args.line) : `matching /${args.regexp}/`);

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;

function okReason(path: string, args: LineinfileArgs, outcome: LineOutcome): string {
  if (outcome.kind === "present") return `${path} already has the line at line ${outcome.lineNumber}`;
  return `${path} has no line ${matcherWords(args)}`;
}

function changeWords(outcome: LineOutcome): string {
  switch (outcome.kind) {
    case "replaced":
      return `replace line ${outcome.lineNumber} (${JSON.stringify(outcome.before)})`;
    case "added":
      return `add the line at the end (line ${outcome.lineNumber})`;
    case "removed":
      return `remove ${plural(outcome.lineNumbers.length, "line")} (${outcome.lineNumbers.join(", ")})`;
    case "present":
    case "none_to_remove":
      return "no line changes";
  }
}

/** What was found, before the edit: for `actual` beside `expected`. */
function actualWords(args: LineinfileArgs, outcome: LineOutcome): string {
  switch (outcome.kind) {
    case "present":
      return `line ${JSON.stringify(args.line)} at line ${outcome.lineNumber}`;
    case "replaced":
      return `${JSON.stringify(outcome.before)} at line ${outcome.lineNumber}`;
    case "added":
      return "no matching line";
    case "removed":
      return `${plural(outcome.lineNumbers.length, "matching line")} (${outcome.lineNumbers.join(", ")})`;
    case "none_to_remove":
      return "no matching line";
  }
}
