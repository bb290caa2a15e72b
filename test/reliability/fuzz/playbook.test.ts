/**
 * Hostile playbooks (issue #10, fuzz part 2): playbooks/baseline.yml and the playbook fixtures,
 * mutated, and small generated playbooks (garbage `when:` expressions, broken `{{ }}` templates,
 * unknown modules and keys, wrong argument types, huge strings, deep nesting) → `fleet run
 * PLAYBOOK --check` and `fleet audit PLAYBOOK` on an inventory whose one host is 127.0.0.1 on a
 * closed port: nothing a fuzzed playbook says can run anywhere. Every input ends with a located
 * input error (4), a usage error (5: a `hosts:` naming nothing), or the run's own code (3: the
 * host is unreachable; 0 or 2 when nothing or a check ran), within the bound per input.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinModules } from "../../../src/modules/registry.js";
import { CONTROL_KEYS, PLAY_KEYS, TASK_KEYS } from "../../../src/playbook/keys.js";
import { closedPort, FailureLog, FleetWorker, refused, REPO, runsFor, Sandbox, seedOf, share, STRICT, summary, testTimeout, unreachableInventory, type FuzzInput } from "./harness.js";
import { applyMutations, hostileNumbers, mutations, unicodeText, yamlTokens } from "./mutate.js";

const RUNS = runsFor("PLAYBOOK", 260);
const CODES = [0, 2, 3, 4, 5];
const MODULES = [...builtinModules().keys()];

// ---- seeds: the shipped baseline and the playbook fixtures, with the files they read

interface Seed {
  name: string;
  /** The directory the seed's templates/ and vars/ are copied from. */
  from: string;
  file: string;
}

const SEEDS: Seed[] = [
  { name: "baseline", from: path.join(REPO, "playbooks"), file: "baseline.yml" },
  { name: "core", from: path.join(REPO, "test/fixtures/playbook-run"), file: "core.yml" },
  { name: "valid/site", from: path.join(REPO, "test/fixtures/playbook/valid"), file: "site.yml" },
  ...readdirSync(path.join(REPO, "test/fixtures/playbook/broken"))
    .filter((file) => file.endsWith(".yml"))
    .sort()
    .map((file) => ({ name: `broken/${file}`, from: path.join(REPO, "test/fixtures/playbook/broken"), file })),
];

/** Playbook syntax, in and out of place. */
const playbookTokens = [
  ...yamlTokens,
  "{{", "}}", "{{ x }}", "{{ undefined_variable }}", "{{ facts.kernel.release }}", "{{#if x}}", "{{/if}}", "{{else}}", "{{#each admins}}{{this}}{{/each}}", "{{> partial}}",
  "{{{ x }}}", "{{! comment }}", "{{quote x}}", "{{quote x y}}", "{{quote}}", "{{#quote x}}{{/quote}}", "{{if x}}", "{{each}}", "{{ lookup x 'a' }}", "{{ @root.x }}", "{{ ../x }}", "{{ constructor }}", "{{ __proto__ }}", "{{ x.[0] }}", "\\{{", "{{#with x}}", "{{log 1}}",
  "when: ", "when: x ==", "when: (((", "when: x | nofilter", "when: x is nosuchtest", "when: not", "when: 'a' in", "when: x[", "changed_when: ", "failed_when: result.rc !=",
  "register: 1x", "register: facts", "notify: nothing", "notify: [", "tags: [", "tags: never", "serial: 0", "serial: '0%'", "serial: 101%", "max_fail_percentage: 101",
  "become: maybe", "timeout: -1", "timeout: 0", "check_mode: false", "scope: galaxy", "run_once: 2", "ignore_errors: ", "control: {id: }", "control: {id: X, severity: extreme}",
  "hosts: nothing", "hosts: ~(", "hosts: []", "hosts: ''", "vars_files: [missing.yml]", "vars_files: [vars/site.yml]", "vars_files: ['{{ x }}']", "- name: x\n  command: 'true'\n",
  "nosuchmodule: {}", "file: {path: 1}", "command: [1]", "copy: {content: {a: 1}}", "template: {src: ../../etc/passwd}", "template: {src: missing.hbs, dest: /tmp/x}",
  "lineinfile: {path: /x, regexp: '('}", "sysctl: {name: 'a b', value: {}}", "roles: []", "block: []", "loop: [1]", "delegate_to: localhost", "include_tasks: x.yml",
];

// ---- generated playbooks

const names = fc.constantFrom("x", "admins", "facts", "result", "r", "lxd_installed", "facts.kernel.release", "inventory_hostname", "group_names", "undefined_thing", "a.b.c", "x[0]", "__proto__", "constructor");
const literals = fc.oneof(fc.constantFrom("1", "-1", "1.5", "'text'", '"text"', "true", "false", "none", "None", "[]", "[1, 2]", "{}", "1e999", "99999999999999999999"), fc.constantFrom(...hostileNumbers));
const operators = fc.constantFrom("and", "or", "not", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not", "|", ".", "(", ")", "[", "]", ",", "+", "-", "*", "~", "%", "**", "//", "=", "{{", "}}", "{%", "#");
const filtersAndTests = fc.constantFrom("| default(1)", "| length", "| int", "| bool", "| lower", "| first", "| nosuch", "| default(", "is defined", "is undefined", "is changed", "is nosuch", "is", "| default(x | default(y | default(z)))");

/** Expressions of the `when:` language, well-formed or not. */
const expression = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(names, literals, operators, filtersAndTests), { minLength: 1, maxLength: 14 }).map((words) => words.join(" ")) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((depth) => `${"(".repeat(depth)}x${")".repeat(depth)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((depth) => `${"not ".repeat(depth)}x`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((count) => Array.from({ length: count }, (_, index) => `x${index} == ${index}`).join(" and ")) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3_000 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)} | length > 0`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3_000 }).map((depth) => `x${".a".repeat(depth)} is defined`) },
  { weight: 1, arbitrary: unicodeText },
);

/** Strings with handlebars templates, well-formed or not. */
const templateText = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(fc.constantFrom(...playbookTokens.filter((token) => token.includes("{{"))), fc.constantFrom("text ", " ", "/etc/x", "0644"), unicodeText), { minLength: 1, maxLength: 8 }).map((parts) => parts.join("")) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3_000 }).map((depth) => `${"{{#if x}}".repeat(depth)}y${"{{/if}}".repeat(depth)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3_000 }).map((depth) => `${"{{#each admins}}".repeat(depth)}{{this}}${"{{/each}}".repeat(depth)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_000 }).map((depth) => `{{ ${"(lookup ".repeat(depth)}x 'a'${")".repeat(depth)} }}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_000 }).map((count) => "{{ x }}".repeat(count)) },
);

/** Now and then a huge string (where a template is read: a name, an argument). */
const hugeText = fc.integer({ min: 10_000, max: 300_000 }).map((length) => `{{ x }}${"x".repeat(length)}`);

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** Argument values of every type, deep nesting included. */
const argValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 16, arbitrary: templateText },
  { weight: 1, arbitrary: hugeText },
  { weight: 8, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Value> },
  { weight: 4, arbitrary: fc.constantFrom<Value>(0, -1, 1.5, 1e308, -0, true, false, null, "", [], {}, "0644", 420, "0o777") },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 10, max: 600 }).map((depth) => {
      let value: Value = "leaf";
      for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { a: value };
      return value;
    }),
  },
);

const moduleName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...MODULES) }, { weight: 1, arbitrary: fc.constantFrom("fiel", "commmand", "debug", "ansible.builtin.command", "include_tasks", "block", "") });
const argName = fc.oneof(fc.constantFrom("path", "mode", "cmd", "content", "dest", "src", "name", "value", "state", "that", "line", "regexp", "rules", "config", "group", "allowed", "owner", "creates", "msg", "key", "project", "profile"), unicodeText);

const task = fc.record(
  {
    name: fc.oneof(templateText, fc.constantFrom<Value>(1, null, [], {})),
    module: fc.tuple(moduleName, fc.oneof({ weight: 4, arbitrary: fc.dictionary(argName, argValue, { maxKeys: 4 }) as fc.Arbitrary<Value> }, { weight: 1, arbitrary: argValue })),
    when: fc.oneof(expression, fc.array(expression, { maxLength: 3 }), fc.constantFrom<Value>(true, false, null, 1, {})),
    changed_when: fc.oneof(expression, fc.constantFrom<Value>(true, false)),
    failed_when: fc.oneof(expression, fc.constantFrom<Value>(true, false)),
    register: fc.oneof(fc.constantFrom<Value>("r", "result", "1x", "facts", "a-b", "", null, 3)),
    notify: fc.oneof(fc.constantFrom<Value>("h", "nothing", ["h", "h"], [], null, 1)),
    tags: fc.oneof(fc.constantFrom<Value>("a, b", ["always"], ["never"], [[]], "", 1)),
    become: fc.constantFrom<Value>(true, false, "yes", "maybe", 1, null),
    scope: fc.constantFrom<Value>("host", "cluster", "galaxy", 1),
    run_once: fc.constantFrom<Value>(true, false, "x"),
    check_mode: fc.constantFrom<Value>(true, false, null),
    timeout: fc.constantFrom<Value>(1, 0, -1, 1e308, "30", "x", null),
    control: fc.oneof(fc.constantFrom<Value>("LXD-MU-03", "bad id!", 1, null), fc.dictionary(fc.constantFrom(...CONTROL_KEYS, "nope"), fc.oneof(fc.constantFrom<Value>("x", "high", "extreme", "host", 1)), { maxKeys: 4 }) as fc.Arbitrary<Value>),
    extra: fc.tuple(fc.oneof(fc.constantFrom(...TASK_KEYS, "loop", "with_items", "delegate_to", "vars"), unicodeText), argValue),
  },
  { requiredKeys: ["module"] },
).map((parts) => {
  const result: Record<string, Value> = {};
  for (const [key, value] of Object.entries(parts)) {
    if (key === "module") {
      const [name, args] = value as [string, Value];
      result[name] = args;
    } else if (key === "extra") {
      const [name, extra] = value as [string, Value];
      result[name] = extra;
    } else {
      result[key] = value as Value;
    }
  }
  return result;
});

const play = fc.record(
  {
    name: templateText,
    hosts: fc.oneof({ weight: 6, arbitrary: fc.constant<Value>("all") }, { weight: 1, arbitrary: fc.constantFrom<Value>("target", "nothing", "~(", "all:!target", ["all"], [], "", 1, null, "web[0:99999999]", "*a*a*a*a*a*a*a*a*a*a*a*b", "~(t|ta)*x") }),
    become: fc.constantFrom<Value>(true, false, "no"),
    vars: fc.dictionary(fc.oneof(names, unicodeText), argValue, { maxKeys: 5 }) as fc.Arbitrary<Value>,
    defaults: fc.dictionary(names, argValue, { maxKeys: 3 }) as fc.Arbitrary<Value>,
    vars_files: fc.constantFrom<Value>(["vars/site.yml"], ["missing.yml"], "vars/site.yml", [1], ["{{ x }}"], [], null),
    serial: fc.constantFrom<Value>(1, 0, -1, "25%", "0%", "101%", "x", 1e308),
    max_fail_percentage: fc.constantFrom<Value>(0, 50, 100, 101, -1, "50%", "x"),
    tasks: fc.array(task, { maxLength: 6 }),
    handlers: fc.array(task.map((item) => ({ name: "h", ...item })), { maxLength: 2 }),
    extra: fc.tuple(fc.oneof(fc.constantFrom(...PLAY_KEYS, "roles", "gather_facts", "pre_tasks"), unicodeText), argValue),
  },
  { requiredKeys: ["hosts", "tasks"] },
).map(({ extra, ...rest }) => (extra === undefined ? rest : { ...rest, [extra[0]]: extra[1] }) as Record<string, Value>);

/** A generated playbook as YAML; sometimes many tasks, or not a list of plays at all. */
const generatedPlaybook = fc.oneof(
  { weight: 8, arbitrary: fc.array(play, { minLength: 1, maxLength: 3 }).map((plays) => stringify(plays, { aliasDuplicateObjects: false, lineWidth: 0 })) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 1_500 }).map((count) => stringify([{ hosts: "all", tasks: Array.from({ length: count }, (_, index) => ({ name: `t${index}`, command: "true", when: `x${index} is defined` })) }])) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom("", "---\n", "~\n", "[]\n", "{}\n", "- 1\n", "hosts: all\ntasks: []\n", "- command: 'true'\n"), unicodeText) },
);

// ---- the suite

describe("fuzz: hostile playbooks → fleet run --check / fleet audit", () => {
  const worker = new FleetWorker();
  const log = new FailureLog("playbook");
  const sandbox = new Sandbox("playbook");
  let inventory = "";
  let sshConfig = "";
  let port = 0;
  let inputs = 0;
  const seedDirs = new Map<string, string>();

  beforeAll(async () => {
    port = await closedPort();
    inventory = path.join(sandbox.root, "inventory", "unreachable.yml");
    sshConfig = path.join(sandbox.root, "ssh_config");
    mkdirSync(path.dirname(inventory), { recursive: true });
    writeFileSync(inventory, unreachableInventory(port));
    writeFileSync(sshConfig, "");
    // each seed's templates/ and vars/ beside the playbooks written for it
    for (const seed of [...SEEDS, { name: "generated", from: path.join(REPO, "test/fixtures/playbook/valid"), file: "" }]) {
      const dir = path.join(sandbox.root, "seeds", seed.name.replace(/[^a-z0-9]+/gi, "-"));
      mkdirSync(dir, { recursive: true });
      for (const sub of ["templates", "vars"]) if (existsSync(path.join(seed.from, sub))) cpSync(path.join(seed.from, sub), path.join(dir, sub), { recursive: true });
      seedDirs.set(seed.name, dir);
    }
    await worker.start();
  });

  afterAll(async () => {
    await worker.close();
    console.log(summary("playbooks", inputs, log, worker));
    // the host stayed unreachable all along: no fuzzed task ran anywhere
    expect(await refused(port)).toBe(true);
    if (log.failures.length === 0) sandbox.remove();
  });

  async function run(label: string, seed: string, text: string, mode: "run" | "audit", limit: string | null): Promise<boolean> {
    const dir = seedDirs.get(seed) as string;
    const file = path.join(dir, `case-${++inputs}.yml`);
    writeFileSync(file, text);
    const argv = [mode, file, ...(mode === "run" ? ["--check"] : []), "-i", inventory, "--connect-timeout", "1", "--ssh-config", sshConfig, ...(limit === null ? [] : ["-l", limit])];
    const outcome = await worker.run(argv);
    const input: FuzzInput = { label, argv, files: { [path.basename(file)]: text }, dir };
    const ok = log.check(input, outcome, { codes: CODES, files: [file], roots: [dir] });
    sandbox.drop(file);
    return ok || !STRICT;
  }

  const mode = fc.constantFrom("run" as const, "audit" as const);
  const limit = fc.option(fc.constantFrom("target", "all", "nothing", "~t.*"), { freq: 6 });

  const mutatedRuns = share(RUNS, 3, 5);
  it(
    `mutated baseline and playbook fixtures: ${mutatedRuns} inputs`,
    async () => {
      const texts = new Map(SEEDS.map((seed) => [seed.name, readSeed(seed)]));
      // the baseline is the playbook that matters most: half the inputs
      const seed = fc.oneof({ weight: SEEDS.length, arbitrary: fc.constant(SEEDS[0] as Seed) }, { weight: SEEDS.length, arbitrary: fc.constantFrom(...SEEDS.slice(1)) });
      await fc.assert(
        fc.asyncProperty(seed, mutations(playbookTokens), mode, limit, (chosen, edits, how, only) =>
          run(`${chosen.name} ${JSON.stringify(edits)}`, chosen.name, applyMutations(texts.get(chosen.name) ?? "", edits), how, only),
        ),
        { numRuns: mutatedRuns, seed: seedOf("playbook mutations"), endOnFailure: true },
      );
      log.assertNone(0);
    },
    testTimeout(mutatedRuns),
  );

  const generatedRuns = share(RUNS, 2, 5);
  it(
    `generated playbooks (garbage when:, broken templates, unknown modules and keys, wrong types, huge and deep values): ${generatedRuns} inputs`,
    async () => {
      const before = log.failures.length;
      await fc.assert(
        fc.asyncProperty(generatedPlaybook, mutations(playbookTokens), fc.boolean(), mode, (text, edits, mutate, how) => run(`generated playbook${mutate ? ` ${JSON.stringify(edits)}` : ""}: ${text.slice(0, 60)}`, "generated", mutate ? applyMutations(text, edits) : text, how, null)),
        { numRuns: generatedRuns, seed: seedOf("playbook generated"), endOnFailure: true },
      );
      log.assertNone(before);
    },
    testTimeout(generatedRuns),
  );
});

function readSeed(seed: Seed): string {
  return readFileSync(path.join(seed.from, seed.file), "utf8");
}
