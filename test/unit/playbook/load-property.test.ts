import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { expect, test } from "vitest";
import { InputFileError } from "../../../src/errors.js";
import { PLAY_KEYS, TASK_KEYS, CONTROL_KEYS } from "../../../src/playbook/keys.js";
import { loadPlaybook } from "../../../src/playbook/load.js";
import { fakeRegistry } from "./fake-registry.js";

const directory = mkdtempSync(join(tmpdir(), "fleet-playbook-property-"));
mkdirSync(join(directory, "vars"));
mkdirSync(join(directory, "templates"));
writeFileSync(join(directory, "vars", "a.yml"), "x: 1\n");
writeFileSync(join(directory, "templates", "t.hbs"), "{{ x }}\n");

const words = [...PLAY_KEYS, ...TASK_KEYS, ...CONTROL_KEYS, ...fakeRegistry.keys(), "path", "mode", "cmd", "src", "dest", "value", "reload", "now", "<<", "x", "LXD-MU-03"];
const scalars = [
  "all", "true", "no", "~", "null", "0700", "0o7", "1:30", "1e3", "2024-01-02", "'0600'", '"{{ x }}"', "{{ x", "'{{#if x}}'", "25%", "-1", "0", "150",
  "[]", "{}", "[a, b]", "{a: 1}", "x and and y", "'a == 1'", "vars/a.yml", "vars/none.yml", "t.hbs", "*a", "&a 1", "!!set {a, b}", "!vault x", "!!binary aGk=",
  "|\n  text", ">-\n  folded", "host", "cluster", "instance", "high", "- nested", "1.5", ".inf", "LXD-MU-03", "relaod",
];

/** Lines of YAML-like text: keys, list dashes, flow values, anchors, tags, at random indentation. */
const yamlish = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 8 }),
      fc.constantFrom("", "- ", "- ", "  - "),
      fc.option(fc.constantFrom(...words), { nil: undefined }),
      fc.oneof(fc.constantFrom(...scalars), fc.string({ maxLength: 12 })),
    ),
    { maxLength: 25 },
  )
  .map((lines) => lines.map(([indent, dash, key, value]) => `${" ".repeat(indent)}${dash}${key === undefined ? "" : `${key}: `}${value}`).join("\n"));

let run = 0;

async function outcome(text: string): Promise<"playbook" | "input error"> {
  const file = join(directory, `case-${run++}.yml`);
  writeFileSync(file, text);
  try {
    await loadPlaybook(file, { registry: fakeRegistry });
    return "playbook";
  } catch (error) {
    if (error instanceof InputFileError && error.problems.length > 0 && error.problems.every((problem) => problem.hint !== undefined)) return "input error";
    throw error;
  }
}

test("any YAML-ish text ends in a Playbook or an InputFileError with hints, never another exception", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(yamlish, fc.string({ maxLength: 200 })), async (text) => {
      expect(["playbook", "input error"]).toContain(await outcome(text));
    }),
    // Found by this test: a merge key over a scalar made yaml throw while converting the value.
    { numRuns: 400, examples: [["- name: \n   <<: all"], ["- hosts: all\n  vars: {a: &x [1, *x]}"]] },
  );
});

test("a structured play with random values ends in a Playbook or an InputFileError", async () => {
  const value = fc.oneof(fc.constantFrom(...scalars), fc.string({ maxLength: 10 }).map((text) => JSON.stringify(text)));
  const play = fc.record({
    playKeys: fc.array(fc.tuple(fc.constantFrom(...PLAY_KEYS.filter((key) => key !== "tasks" && key !== "handlers")), value), { maxLength: 4 }),
    tasks: fc.array(
      fc.record({
        module: fc.constantFrom(...fakeRegistry.keys(), "fiel"),
        args: fc.array(fc.tuple(fc.constantFrom("path", "mode", "cmd", "src", "dest", "name", "value", "mod"), value), { maxLength: 3 }),
        keys: fc.array(fc.tuple(fc.constantFrom(...TASK_KEYS), value), { maxLength: 3 }),
      }),
      { maxLength: 3 },
    ),
  });
  await fc.assert(
    fc.asyncProperty(play, async ({ playKeys, tasks }) => {
      const lines = ["- hosts: all", ...playKeys.map(([key, text]) => `  ${key}: ${text}`), "  tasks:"];
      for (const task of tasks) {
        lines.push(`    - ${task.module}: {${task.args.map(([key, text]) => `${key}: ${text.replace(/\n/g, " ")}`).join(", ")}}`);
        for (const [key, text] of task.keys) lines.push(`      ${key}: ${text.replace(/\n/g, " ")}`);
      }
      expect(["playbook", "input error"]).toContain(await outcome(`${lines.join("\n")}\n`));
    }),
    { numRuns: 400 },
  );
});
