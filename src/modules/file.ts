import { z } from "zod";
import { fileDigest } from "../facts/digest.js";
import { fileContent, fileStat } from "../facts/file.js";
import { session, SESSION_ARG } from "../facts/session.js";
import { fact, type FactReader, type FactRequest } from "../facts/types.js";
import { shellQuote } from "../transport/shell-quote.js";
import { absolutePath, argsObject, attributeShape, parentOf } from "./support/args.js";
import {
  attributeChanges,
  attributeCommands,
  attributeDiff,
  createdStat,
  describeAttributes,
  describeChanges,
  effect,
  joinParts,
  observedAttributes,
  withAttributes,
  type ExistingStat,
  type WantedAttributes,
} from "./support/attributes.js";
import type { Module, Plan } from "./types.js";

export const fileArgs = argsObject("file", {
  path: absolutePath,
  /** Absent: leave existence alone and set the attributes of what is there. */
  state: z.enum(["file", "directory", "absent"]).optional(),
  ...attributeShape,
}).superRefine((args, ctx) => {
  if (args.state === "absent") {
    for (const key of ["mode", "owner", "group"] as const) {
      if (args[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `${key} makes no sense with state: absent` });
    }
    if (args.path === "/") ctx.addIssue({ code: "custom", path: ["path"], message: "refusing to remove /" });
  }
  if (args.state === undefined && args.mode === undefined && args.owner === undefined && args.group === undefined) {
    ctx.addIssue({ code: "custom", path: ["state"], message: "give a state or at least one of mode, owner, group" });
  }
});

export type FileArgs = z.output<typeof fileArgs>;

/**
 * Existence and attributes of a path, without reading its content: it works on /proc and /sys
 * entries (their stat is live; chmod there is lost at reboot, see tmpfiles). state: file needs
 * the path to exist (like Ansible, it never creates a file); with no state, a missing path is
 * not_applicable.
 */
export const fileModule: Module<FileArgs> = {
  name: "file",
  description: "Set a path's mode, owner and group; create a directory or remove a path (state: file|directory|absent).",
  args: fileArgs,
  verifiable: true,
  facts: (args) => {
    const requests: FactRequest[] = [fact(fileStat, args.path)];
    if (args.state === "directory") requests.push(fact(fileStat, parentOf(args.path)), fact(session, SESSION_ARG));
    return requests;
  },
  plan: (args, facts) => {
    const stat = facts.get(fact(fileStat, args.path));
    const wanted: WantedAttributes = { mode: args.mode, owner: args.owner, group: args.group };
    const { path } = args;
    const expected = joinParts(args.state ?? "", describeAttributes(wanted));
    if (!stat.exists) {
      switch (args.state) {
        case "absent":
          return { kind: "ok", reason: `${path} is already absent`, actual: "absent" };
        case "directory":
          return planMakeDirectory(path, wanted, facts, expected);
        case "file":
          return { kind: "fail", message: `${path} does not exist (state: file never creates a file: use copy, template or lineinfile with create)`, expected, actual: "absent" };
        case undefined:
          return { kind: "not_applicable", reason: `${path} does not exist (no state given: fleet neither creates nor removes it)` };
      }
    }
    const typeWord = stat.type === "other" ? "special file" : stat.type;
    if (args.state === "absent") {
      return {
        kind: "change",
        summary: `remove ${path} (${typeWord})`,
        diff: { before: `state: ${stat.type}\n`, after: "state: absent\n" },
        commands: [{ script: `rm -rf ${shellQuote(path)}`, description: stat.type === "directory" ? `remove the directory ${path} and everything in it` : `remove ${path}` }],
        // What was under a removed directory is gone too; those facts are not predicted here.
        effects: [effect(fact(fileStat, path), { exists: false }), effect(fact(fileContent, path), { state: "absent" }), effect(fact(fileDigest, path), { state: "absent" })],
        expected: "absent",
        actual: stat.type,
      };
    }
    if (args.state === "directory" && stat.type !== "directory") return { kind: "fail", message: `${path} exists and is a ${typeWord}, not a directory`, expected, actual: stat.type };
    if (args.state === "file" && stat.type === "directory") return { kind: "fail", message: `${path} is a directory, not a file`, expected, actual: stat.type };
    return planAttributes(path, stat, wanted, args.state === undefined ? "" : typeWord, expected);
  },
};

function planAttributes(path: string, stat: ExistingStat, wanted: WantedAttributes, stateWord: string, expected: string): Plan {
  const changes = attributeChanges(stat, wanted);
  const actual = joinParts(stateWord, describeAttributes(observedAttributes(stat, wanted)));
  if (changes.length === 0) {
    const has = describeAttributes(observedAttributes(stat, wanted));
    const reason = stateWord === "" ? `${path} already has ${has}` : has === "" ? `${path} is already a ${stateWord}` : `${path} is a ${stateWord} and already has ${has}`;
    return { kind: "ok", reason, actual };
  }
  return {
    kind: "change",
    summary: `${path}: ${describeChanges(changes)}`,
    diff: attributeDiff(changes),
    commands: attributeCommands(path, stat, wanted),
    effects: [effect(fact(fileStat, path), withAttributes(stat, wanted))],
    expected,
    actual,
  };
}

function planMakeDirectory(path: string, wanted: WantedAttributes, facts: FactReader, expected: string): Plan {
  const made = createdStat("directory", 0, {}, facts.get(fact(fileStat, parentOf(path))), facts.get(fact(session, SESSION_ARG)));
  const final = withAttributes(made, wanted);
  return {
    kind: "change",
    summary: joinParts(`create directory ${path}`, describeAttributes(wanted)),
    diff: { before: "state: absent\n", after: `state: directory\nmode: ${final.mode}\nowner: ${final.owner}\ngroup: ${final.group}\n` },
    commands: [{ script: `mkdir -p ${shellQuote(path)}`, description: `create the directory ${path} (and missing parents)` }, ...attributeCommands(path, made, wanted)],
    // mkdir -p may create parents too; their facts are not predicted here.
    effects: [effect(fact(fileStat, path), final), effect(fact(fileContent, path), { state: "other" }), effect(fact(fileDigest, path), { state: "other" })],
    expected,
    actual: "absent",
  };
}
