import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { formatLocation, InputFileError } from "../../../src/errors.js";
import { ExpressionError, parseExpression } from "../../../src/playbook/expression/index.js";
import { loadPlaybook } from "../../../src/playbook/load.js";
import type { Task } from "../../../src/playbook/types.js";
import { fakeRegistry } from "./fake-registry.js";

const fixtures = join(import.meta.dirname, "../../fixtures/playbook");
const load = (file: string) => loadPlaybook(file, { registry: fakeRegistry, cwd: fixtures });

async function problemsOf(file: string): Promise<InputFileError> {
  const error: unknown = await load(file).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof InputFileError)) throw new Error(`expected an InputFileError for ${file}, got ${String(error)}`);
  return error;
}

/** The hint and message the expression parser gives for `source`. */
function expressionError(source: string): ExpressionError {
  try {
    parseExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
  }
  throw new Error(`${source} parses`);
}

describe("a valid playbook using every key", () => {
  test("plays", async () => {
    const playbook = await load("valid/site.yml");
    expect(playbook.file).toBe("valid/site.yml");
    expect(playbook.path).toBe(join(fixtures, "valid/site.yml"));
    expect(playbook.baseDir).toBe(join(fixtures, "valid"));
    expect(playbook.plays).toHaveLength(2);
    const [first, second] = playbook.plays;
    expect(first).toMatchObject({
      name: "LXD host baseline",
      hosts: "all",
      become: true,
      becomeUser: "root",
      vars: { slab_mode: "0700", admins: ["alice", "bob"] },
      varsFiles: [
        { path: "valid/vars/site.yml", vars: { slab_mode: "0750", lxd_installed: true } },
        { path: "valid/vars/empty.yml", vars: {} },
      ],
      serial: { percent: 25 },
      maxFailPercentage: 20,
      anyErrorsFatal: true,
      location: { file: "valid/site.yml", line: 2, column: 3 },
    });
    expect(second).toMatchObject({ name: "cluster1", hosts: "cluster1", become: undefined, becomeUser: undefined, vars: {}, varsFiles: [], serial: { count: 2 }, maxFailPercentage: undefined, anyErrorsFatal: false, handlers: [] });
  });

  test("tasks", async () => {
    const [first, second] = (await load("valid/site.yml")).plays;
    const [slab, motd, kernel] = first?.tasks ?? [];
    expect(slab).toMatchObject({
      index: 0,
      name: "Prevent container name leakage via slab",
      module: "file",
      args: { path: "/sys/kernel/slab", mode: "{{ slab_mode }}" },
      control: {
        id: "LXD-MU-03",
        title: "Prevent container name leakage via slab",
        severity: "high",
        scope: "host",
        section: "4.3",
        rationale: "Slab cache names show the names of other tenants' containers.",
        remediation: "Make /sys/kernel/slab readable by root only.",
      },
      tags: ["name-leakage", "slab"],
      notify: ["reload something"],
      become: undefined,
      becomeUser: undefined,
      scope: "host",
      runOnce: false,
      checkMode: undefined,
      changedWhen: undefined,
      failedWhen: undefined,
      ignoreErrors: false,
      register: undefined,
      timeoutSeconds: undefined,
      location: { file: "valid/site.yml", line: 20, column: 7 },
      argLocations: { path: { file: "valid/site.yml", line: 22, column: 21 }, mode: { file: "valid/site.yml", line: 22, column: 45 } },
    });
    expect(slab?.when.map((expression) => expression.source)).toEqual(["lxd_installed and facts.kernel.slab_present"]);

    expect(motd).toMatchObject({
      index: 1,
      module: "template",
      args: { src: "motd.hbs", dest: "/etc/motd" },
      control: { id: "LXD-GEN-09", title: "Login banner", severity: "low", scope: "instance" },
      tags: ["banner", "motd"],
      notify: ["reload something", "restart other"],
      when: [],
      become: false,
      becomeUser: "nobody",
      checkMode: false,
      timeoutSeconds: 30,
    });

    expect(kernel).toMatchObject({
      index: 2,
      module: "command",
      args: { cmd: "uname -r" },
      argLocations: { cmd: { file: "valid/site.yml", line: 42, column: 16 } },
      // Defined nowhere: titled by its id, severity medium, the task's scope.
      control: { id: "LXD-HOST-07", title: "LXD-HOST-07", severity: "medium", scope: "cluster" },
      scope: "cluster",
      runOnce: true,
      register: "kernel_release",
      changedWhen: false,
      ignoreErrors: true,
    });
    expect(kernel?.when.map((expression) => expression.source)).toEqual(["lxd_installed", "true"]);
    expect(sources(kernel?.failedWhen)).toEqual(["kernel_release.rc != 0", "'error' in kernel_release.stdout"]);

    const [unnamed] = second?.tasks ?? [];
    expect(unnamed).toMatchObject({ index: 0, name: "file", module: "file", control: null, tags: [] });
    expect(sources(unnamed?.changedWhen)).toEqual(["kernel_release is defined"]);
  });

  test("handlers are tasks with their own indexes", async () => {
    const [play] = (await load("valid/site.yml")).plays;
    expect(play?.handlers).toMatchObject([
      { index: 0, name: "reload something", module: "command", args: { cmd: "true" }, checkMode: undefined },
      { index: 1, name: "restart other", module: "command", args: { cmd: "true" }, checkMode: true },
    ]);
  });

  test("an absolute path is shown as given", async () => {
    const playbook = await loadPlaybook(join(fixtures, "valid/site.yml"), { registry: fakeRegistry });
    expect(playbook.file).toBe(join(fixtures, "valid/site.yml"));
    expect(playbook.plays[0]?.varsFiles[0]?.path).toBe(join(fixtures, "valid/vars/site.yml"));
  });
});

function sources(conditions: Task["changedWhen"]): unknown {
  return Array.isArray(conditions) ? conditions.map((expression) => expression.source) : conditions;
}

interface Expected {
  code: string;
  at: string;
  message: string;
  hint: string;
}

const badWhen = expressionError("lxd_installed and and facts.kernel.slab_present");
const badWhenQuoted = expressionError("facts.kernel.release >= ");

// Each broken playbook and every problem fleet reports for it, in order.
const broken: Array<[string, Expected[]]> = [
  [
    "mapping.yml",
    [
      {
        code: "PLAYBOOK_STRUCTURE",
        at: "broken/mapping.yml:2:1",
        message: "a playbook is a list of plays; this file holds a mapping",
        hint: "this looks like a single play: make it a list of one play by starting it with `- ` (`- name: ...` / `  hosts: ...`)",
      },
    ],
  ],
  [
    "scalar.yml",
    [
      {
        code: "PLAYBOOK_STRUCTURE",
        at: "broken/scalar.yml:1:1",
        message: 'a playbook is a list of plays; this file holds the text "just some text"',
        hint: "a playbook is a list of plays (`- name: ...` / `hosts: ...` / `tasks: [...]`); see docs/playbooks.md",
      },
    ],
  ],
  [
    "empty.yml",
    [
      {
        code: "PLAYBOOK_STRUCTURE",
        at: "broken/empty.yml:1:1",
        message: "the playbook is empty: a playbook is a list of plays",
        hint: "a playbook is a list of plays (`- name: ...` / `hosts: ...` / `tasks: [...]`); see docs/playbooks.md",
      },
    ],
  ],
  [
    "tasks-only.yml",
    [
      {
        code: "PLAYBOOK_STRUCTURE",
        at: "broken/tasks-only.yml:2:3",
        message: "this play has no hosts and names a module: it looks like a task",
        hint: "a playbook is a list of plays; put tasks under a play's `tasks:` (`- hosts: all` / `  tasks:` / `    - name: ...`)",
      },
    ],
  ],
  [
    "syntax.yml",
    [
      {
        code: "PLAYBOOK_YAML_SYNTAX",
        at: "broken/syntax.yml:4:1",
        message: "YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }",
        hint: "fix the YAML at this position (indentation, a missing ':' or an unclosed quote are the usual causes)",
      },
    ],
  ],
  ["unknown-play-key.yml", [{ code: "PLAYBOOK_UNKNOWN_KEY", at: "broken/unknown-play-key.yml:2:3", message: "unknown play key `hots`", hint: "did you mean `hosts`?" }]],
  ["unknown-task-key.yml", [{ code: "PLAYBOOK_UNKNOWN_KEY", at: "broken/unknown-task-key.yml:5:7", message: "unknown task key `tgas`", hint: "did you mean `tags`?" }]],
  ["unknown-module.yml", [{ code: "PLAYBOOK_UNKNOWN_MODULE", at: "broken/unknown-module.yml:4:7", message: "unknown module `fiel`", hint: "did you mean `file`?" }]],
  [
    "no-module.yml",
    [{ code: "PLAYBOOK_NO_MODULE", at: "broken/no-module.yml:3:7", message: "this task names no module", hint: "give it one module key with its arguments; modules: command, file, sysctl, template" }],
  ],
  [
    "two-modules.yml",
    [{ code: "PLAYBOOK_TWO_MODULES", at: "broken/two-modules.yml:5:7", message: "this task names two modules, `file` and `command`", hint: "a task runs exactly one module: split it into two tasks" }],
  ],
  [
    "unknown-argument.yml",
    [{ code: "PLAYBOOK_UNKNOWN_ARGUMENT", at: "broken/unknown-argument.yml:4:29", message: "unknown argument `mod` of module `file`", hint: "did you mean `mode`?" }],
  ],
  [
    "wrong-type.yml",
    [
      { code: "PLAYBOOK_INVALID_ARGUMENT", at: "broken/wrong-type.yml:6:15", message: "file.mode: expected string, received number", hint: "file takes: path, mode, owner, state" },
      { code: "PLAYBOOK_INVALID_ARGUMENT", at: "broken/wrong-type.yml:8:64", message: "sysctl.reload.now: expected boolean, received string", hint: "sysctl takes: name, value, reload" },
      { code: "PLAYBOOK_INVALID_ARGUMENT", at: "broken/wrong-type.yml:10:7", message: "file.path: missing (expected string)", hint: "file takes: path, mode, owner, state" },
      { code: "PLAYBOOK_INVALID_ARGUMENT", at: "broken/wrong-type.yml:12:7", message: "sysctl.value: missing (expected string or number)", hint: "sysctl takes: name, value, reload" },
      { code: "PLAYBOOK_INVALID_ARGUMENT", at: "broken/wrong-type.yml:14:45", message: "sysctl.value: must be digits", hint: "sysctl takes: name, value, reload" },
    ],
  ],
  [
    "free-form.yml",
    [{ code: "PLAYBOOK_MODULE_ARGS", at: "broken/free-form.yml:4:13", message: 'module `file` takes a mapping of arguments, not the text "/etc/x"', hint: "write the module's arguments as a mapping (`module: {key: value}`)" }],
  ],
  [
    "bad-when.yml",
    [
      // The value starts at column 13; the second `and` is at column 19 of the expression.
      { code: "PLAYBOOK_CONDITION", at: `broken/bad-when.yml:5:${13 + badWhen.column - 1}`, message: `when: ${badWhen.message}`, hint: badWhen.hint },
      // Quoted: the expression starts one column after the quote at column 11.
      { code: "PLAYBOOK_CONDITION", at: `broken/bad-when.yml:10:${12 + badWhenQuoted.column - 1}`, message: `when: ${badWhenQuoted.message}`, hint: badWhenQuoted.hint },
    ],
  ],
  [
    "unknown-handler.yml",
    [{ code: "PLAYBOOK_UNKNOWN_HANDLER", at: "broken/unknown-handler.yml:5:15", message: 'notify names no handler of this play: "relaod something"', hint: "did you mean `reload something`?" }],
  ],
  [
    "handler-notify.yml",
    [
      {
        code: "PLAYBOOK_HANDLER",
        at: "broken/handler-notify.yml:6:7",
        message: "a handler cannot notify other handlers",
        hint: "handlers are tasks with unique names, run at the end of the play when notified; they cannot notify",
      },
    ],
  ],
  [
    "missing-vars-file.yml",
    [
      { code: "PLAYBOOK_VARS_FILE_MISSING", at: "broken/missing-vars-file.yml:4:7", message: "vars file vars/nowhere.yml not found: there is no file broken/vars/nowhere.yml", hint: "vars_files paths are relative to the playbook's directory; check the path" },
      { code: "PLAYBOOK_VARS_FILE", at: "broken/vars/site.yml:1:1", message: "a vars file holds a mapping of variables, not a list", hint: "a vars file holds a mapping of variable names to values (or nothing)" },
    ],
  ],
  [
    "missing-template.yml",
    [
      { code: "PLAYBOOK_TEMPLATE_MISSING", at: "broken/missing-template.yml:4:24", message: "template nowhere.hbs not found: there is no file broken/templates/nowhere.hbs", hint: "template sources are looked up under templates/ beside the playbook; check the name" },
      {
        code: "TEMPLATE_SYNTAX",
        at: "broken/templates/broken.hbs:5",
        message: "template syntax error in template broken/templates/broken.hbs: the template ends too early (an unclosed {{ or a block such as {{#if}} without its {{/if}})",
        hint: "handlebars syntax: {{ name }}, {{ facts.kernel.release }}, {{#if name}}...{{else}}...{{/if}}, {{#each list}}{{this}}{{/each}}; write \\{{ for a literal {{",
      },
    ],
  ],
  [
    "template-syntax.yml",
    [
      {
        code: "TEMPLATE_SYNTAX",
        at: "broken/template-syntax.yml:4:35",
        message: "template syntax error in file.mode: the template ends too early (an unclosed {{ or a block such as {{#if}} without its {{/if}})",
        hint: "handlebars syntax: {{ name }}, {{ facts.kernel.release }}, {{#if name}}...{{else}}...{{/if}}, {{#each list}}{{this}}{{/each}}; write \\{{ for a literal {{",
      },
    ],
  ],
  [
    "bad-register.yml",
    [{ code: "PLAYBOOK_REGISTER", at: "broken/bad-register.yml:5:17", message: 'register takes a variable name: "1st-result" is not a variable name', hint: "register takes a variable name: letters, digits and _, not starting with a digit" }],
  ],
  [
    "bad-serial.yml",
    [
      { code: "PLAYBOOK_SERIAL", at: "broken/bad-serial.yml:2:11", message: 'serial must be a positive number of hosts or a percentage from 1% to 100%, not the text "0%"', hint: 'serial is a positive number of hosts (10) or a percentage of the play\'s hosts ("25%")' },
      { code: "PLAYBOOK_MAX_FAIL_PERCENTAGE", at: "broken/bad-serial.yml:3:24", message: "max_fail_percentage must be a number from 0 to 100, not the number 150", hint: "max_fail_percentage is a number from 0 to 100" },
    ],
  ],
  [
    "bad-control.yml",
    [
      {
        code: "PLAYBOOK_CONTROL",
        at: "broken/bad-control.yml:4:17",
        message: 'control severity must be one of low, medium, high, critical, not the text "urgent"',
        hint: "a control is an id (LXD-MU-03) or a mapping {id, title, severity: low|medium|high|critical, scope: host|cluster|instance, section, rationale, remediation}",
      },
      { code: "PLAYBOOK_UNKNOWN_KEY", at: "broken/bad-control.yml:5:7", message: "unknown control key `titel`", hint: "did you mean `title`?" },
    ],
  ],
  [
    "duplicate-key.yml",
    [{ code: "PLAYBOOK_DUPLICATE_KEY", at: "broken/duplicate-key.yml:6:7", message: "`when` is given twice", hint: "remove one of the two: YAML keeps only the last value, silently dropping the first" }],
  ],
  [
    "merge-key.yml",
    [{ code: "PLAYBOOK_YAML_SYNTAX", at: "broken/merge-key.yml:3:5", message: "YAML merge key << needs a mapping or a list of mappings", hint: "merge an anchored mapping (`<<: *defaults`) or a list of them" }],
  ],
  [
    "many-problems.yml",
    [
      { code: "PLAYBOOK_UNKNOWN_MODULE", at: "broken/many-problems.yml:4:7", message: "unknown module `fiel`", hint: "did you mean `file`?" },
      { code: "PLAYBOOK_UNKNOWN_ARGUMENT", at: "broken/many-problems.yml:5:29", message: "unknown argument `mod` of module `file`", hint: "did you mean `mode`?" },
      { code: "PLAYBOOK_UNKNOWN_HANDLER", at: "broken/many-problems.yml:6:15", message: 'notify names no handler of this play: "nothing"', hint: "this play has no handlers" },
      { code: "PLAYBOOK_MISSING_KEY", at: "broken/many-problems.yml:7:3", message: "this play has no hosts", hint: "add `hosts:` with a host pattern, e.g. `hosts: all` or `hosts: lxd:&dc1`" },
    ],
  ],
];

describe.each(broken)("broken playbook %s", (file, expected) => {
  test("every problem: code, file:line:column, message and hint", async () => {
    const error = await problemsOf(`broken/${file}`);
    expect(error.category).toBe("parse");
    const actual = error.problems.map((problem) => ({
      code: problem.code,
      at: problem.location === undefined ? "" : formatLocation(problem.location),
      message: problem.message,
      hint: problem.hint,
    }));
    expect(actual).toEqual(expected);
  });
});

test("a playbook that is not there", async () => {
  const error = await problemsOf("broken/nowhere.yml");
  expect(error.problems.map((problem) => problem.describe())).toEqual([
    "broken/nowhere.yml: playbook broken/nowhere.yml not found [PLAYBOOK_NOT_FOUND]\n  hint: give the playbook's path (relative to the current directory) or the name of a shipped playbook",
  ]);
});
