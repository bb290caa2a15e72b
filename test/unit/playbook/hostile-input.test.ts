/**
 * Playbooks and templates found by the fuzz suite (test/reliability/fuzz) to hang, take seconds
 * and gigabytes, end in a stack trace or give an error without its line, each reduced to its input.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { InputFileError } from "../../../src/errors.js";
import { loadPlaybook } from "../../../src/playbook/load.js";
import { compileTemplate, MAX_TEMPLATE_EXPRESSIONS, MAX_TEMPLATE_NESTING } from "../../../src/playbook/template-compile.js";
import { renderValue, TemplateError } from "../../../src/playbook/template.js";
import { fakeRegistry } from "./fake-registry.js";

const dir = mkdtempSync(path.join(tmpdir(), "fleet-hostile-playbook-"));
let files = 0;

/** The problems of loading the playbook text, as `line:column CODE message`, and how long it took. */
async function problems(text: string): Promise<{ lines: string[]; ms: number }> {
  const file = path.join(dir, `${++files}.yml`);
  writeFileSync(file, text);
  const begun = Date.now();
  const error: unknown = await loadPlaybook(file, { registry: fakeRegistry }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  const ms = Date.now() - begun;
  if (error === undefined) return { lines: [], ms };
  if (!(error instanceof InputFileError)) throw error;
  return { lines: error.problems.map((problem) => `${problem.location?.line}:${problem.location?.column} ${problem.code} ${problem.message}`), ms };
}

test("merge keys that merge one mapping twice, 40 levels deep, in a task (2^40 merges: it never ended)", async () => {
  const merges = ["    m0: &m0 {a: 1}", ...Array.from({ length: 39 }, (_, index) => `    m${index + 1}: &m${index + 1} {<<: [*m${index}, *m${index}]}`)];
  const { lines, ms } = await problems(`- hosts: all\n  vars:\n${merges.join("\n")}\n  tasks:\n    - command: 'true'\n      <<: *m39\n`);
  expect(lines[0]).toMatch(/PLAYBOOK_UNKNOWN_MODULE unknown module or task key `a`/);
  expect(ms).toBeLessThan(5_000);
});

test("notify naming no handler, both names 50,000 characters long (the closest-name search took the product of the lengths: 17 s)", async () => {
  const long = "x".repeat(50_000);
  const { lines, ms } = await problems(`- hosts: all\n  tasks:\n    - command: 'true'\n      notify: ${long}y\n  handlers:\n    - name: ${long}z\n      command: 'true'\n`);
  expect(lines).toEqual([expect.stringMatching(/^4:15 PLAYBOOK_UNKNOWN_HANDLER notify names no handler of this play: "x{50000}y"$/)]);
  expect(ms).toBeLessThan(2_000);
});

describe("empty items of a list are reported at their line (they were reported at the file alone)", () => {
  test("changed_when: with an empty item", async () => {
    expect((await problems("- hosts: all\n  tasks:\n    - command: 'true'\n      changed_when:\n        - \n")).lines).toEqual(["5:11 PLAYBOOK_CONDITION changed_when takes an expression or a list of them, not nothing"]);
  });

  test("secret_vars: with an empty item", async () => {
    expect((await problems("- hosts: all\n  secret_vars:\n    - db\n    - \n  tasks: []\n")).lines).toEqual(["4:7 PLAYBOOK_SECRET_VARS secret_vars takes variable names: not nothing"]);
  });

  test("an empty play, task, tag and notify", async () => {
    const { lines } = await problems("- \n- hosts: all\n  tasks:\n    - \n    - command: 'true'\n      tags: [a, null]\n      notify: [~]\n");
    expect(lines.map((line) => line.split(" ").slice(0, 2).join(" "))).toEqual(["1:3 PLAYBOOK_STRUCTURE", "4:7 PLAYBOOK_STRUCTURE", "6:17 PLAYBOOK_VALUE", "7:16 PLAYBOOK_VALUE"]);
  });
});

describe("templates too big to compile", () => {
  const render = (template: string, context: object): unknown => renderValue(template, context, { file: "p.yml", line: 3, column: 9 }, "command.cmd");

  test(`blocks nested ${MAX_TEMPLATE_NESTING + 1} deep and more (4,000: 7 s in the handlebars parser, then a stack overflow)`, () => {
    const begun = Date.now();
    const deep = `${"{{#if x}}".repeat(4_000)}y${"{{/if}}".repeat(4_000)}`;
    expect(() => render(deep, { x: true })).toThrow(TemplateError);
    expect(() => render(deep, { x: true })).toThrow(/template syntax error in command.cmd: blocks \(\{\{#if\}\}, \{\{#each\}\}, \.\.\.\) are nested more than 100 deep/);
    expect(Date.now() - begun).toBeLessThan(1_000);
    expect(render(`${"{{#if x}}".repeat(MAX_TEMPLATE_NESTING)}y${"{{/if}}".repeat(MAX_TEMPLATE_NESTING)}`, { x: true })).toBe("y");
  });

  test(`more than ${MAX_TEMPLATE_EXPRESSIONS} expressions in one template (40,000 {{ x }}: 6 s and 1.3 GB)`, () => {
    expect(compileTemplate("{{ x }}".repeat(40_000))).toMatchObject({ kind: "invalid", error: { message: "the template holds 40000 {{ }} expressions, more than the 5000 fleet compiles in one template" } });
    expect(render("{{ x }}".repeat(MAX_TEMPLATE_EXPRESSIONS), { x: 1 })).toBe("1".repeat(MAX_TEMPLATE_EXPRESSIONS));
  });

  test("{{quote x y}} is a template error at the argument (a plain Error: exit 1 with a stack trace)", () => {
    expect(() => render("echo {{quote x y}}", { x: 1, y: 2 })).toThrow(TemplateError);
    expect(() => render("echo {{quote x y}}", { x: 1, y: 2 })).toThrow("template syntax error in command.cmd: quote takes one value: {{quote name}}");
  });
});
