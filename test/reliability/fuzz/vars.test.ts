/**
 * Hostile variables (issue #10, fuzz part 3): `-e @FILE` and a play's `vars_files:` holding
 * garbage (mutated vars files, alias bombs, deep nesting, bytes), and `-e` strings (KEY=VALUE with
 * any quoting, JSON, YAML, broken) → `fleet run PLAYBOOK --check` / `fleet audit` of a small
 * playbook on an inventory whose one host is 127.0.0.1 on a closed port. A bad file is exit 4 at
 * its file:line, a bad inline -e exit 5, anything that parses the run's own 3 (unreachable).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, FailureLog, FleetWorker, refused, repoFile, runsFor, Sandbox, seedOf, share, STRICT, summary, testTimeout, unreachableInventory, type FuzzInput } from "./harness.js";
import { applyMutations, hostileNumbers, mutations, unicodeText, yamlTokens } from "./mutate.js";

const RUNS = runsFor("VARS", 300);

/** Uses the variables -e may replace with a value of any type. */
const PLAYBOOK = `- hosts: all
  vars:
    greeting: hello
    mode: "0644"
    admins: [root]
  vars_files: [vars/site.yml]
  tasks:
    - name: say {{ greeting }}
      command: { cmd: "echo {{ greeting }} {{ site_name }}" }
    - name: a file's mode
      file: { path: /tmp/fleet-fuzz-never-written, mode: "{{ mode }}" }
      when: greeting is defined and admins | length > 0
    - name: members
      group_members: { group: fuzz, allowed: "{{ admins }}" }
`;

const SEEDS = [
  "test/fixtures/playbook/valid/vars/site.yml",
  "test/fixtures/baseline/testbed-vars.yml",
  "test/fixtures/inventory/group-vars-dirs/group_vars/all.yml",
  "test/fixtures/inventory/group-vars-dirs/group_vars/jsongroup.json",
  "test/fixtures/inventory/kubespray-sample/group_vars/all/all.yml",
  "test/fixtures/inventory/kubespray-sample/group_vars/k8s_cluster/k8s-cluster.yml",
  "test/fixtures/inventory/yaml-types/types.yml",
  "test/fixtures/report/synthetic-report.json",
  "test/fixtures/waivers/valid.yml",
].map((file) => ({ name: path.basename(file), text: repoFile(file) }));

/** Vars files built to hurt. */
const hostileFile = fc.oneof(
  fc.record({ width: fc.integer({ min: 2, max: 12 }), depth: fc.integer({ min: 2, max: 9 }) }).map(({ width, depth }) => {
    const lines = [`l0: &l0 [${Array.from({ length: width }, () => '"lol"').join(", ")}]`];
    for (let level = 1; level < depth; level++) lines.push(`l${level}: &l${level} [${Array.from({ length: width }, () => `*l${level - 1}`).join(", ")}]`);
    return `${lines.join("\n")}\n`;
  }),
  fc.integer({ min: 2, max: 60 }).map((depth) => ["m0: &m0 {a: 1}", ...Array.from({ length: depth - 1 }, (_, index) => `m${index + 1}: &m${index + 1} {<<: [*m${index}, *m${index}]}`), `greeting: {<<: *m${depth - 1}}`, ""].join("\n")),
  fc.integer({ min: 10, max: 30_000 }).map((depth) => `greeting: ${"[".repeat(depth)}${"]".repeat(depth)}\n`),
  fc.integer({ min: 10, max: 30_000 }).map((depth) => `greeting: ${"{a: ".repeat(depth)}1${"}".repeat(depth)}\n`),
  fc.integer({ min: 1, max: 5_000 }).map((count) => Array.from({ length: count }, (_, index) => `v${index}: ${index}`).join("\n")),
  fc.integer({ min: 1_000, max: 500_000 }).map((length) => `greeting: "${"x".repeat(length)}"\n`),
  fc.constantFrom("", "---\n", "~\n", "null\n", "- a\n", "text\n", "1\n", "[]\n", "{}\n", "a: *nowhere\n", "? [a, b]\n: 1\n", "!!binary aGk=\n", "$ANSIBLE_VAULT;1.1;AES256\n6162\n", "greeting: !vault |\n  6162\n", "\0\0", "\ufeffgreeting: bom\n", "greeting: 1\ngreeting: 2\n", "{{ x }}: 1\n", "__proto__: {polluted: true}\n", "constructor: 1\nhasOwnProperty: 2\n"),
  fc.string({ unit: "binary", maxLength: 300 }),
);

// ---- -e strings

const word = fc.oneof(fc.constantFrom("a", "greeting", "mode", "admins", "x", "site_name", "__proto__", "constructor", "facts", "1", "-", "a.b", "ansible_host", "ansible_port", "ansible_connection"), unicodeText);
const quoted = fc.oneof(word, word.map((text) => `"${text}"`), word.map((text) => `'${text}'`), word.map((text) => `${text}\\`), fc.constantFrom('"open', "'open", "\\", '"\\"', "''", '""', "a\\ b"));
const keyValues = fc.array(fc.oneof({ weight: 4, arbitrary: fc.tuple(word, quoted).map(([key, value]) => `${key}=${value}`) }, { weight: 1, arbitrary: quoted }), { minLength: 1, maxLength: 5 }).map((words) => words.join(" "));
const jsonMapping = fc.dictionary(word, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 }).map((value) => JSON.stringify(value));
const yamlMapping = fc.dictionary(word, fc.oneof(fc.constantFrom(...hostileNumbers), fc.constantFrom("yes", "~", "[1, 2]", "{a: 1}", "&a 1", "*a", "!!str 1", "2001-02-30", "0o17")), { maxKeys: 4 }).map((entries) => `{${Object.entries(entries).map(([key, value]) => `${JSON.stringify(key)}: ${value}`).join(", ")}}`);
const inlineValue = fc.oneof(
  { weight: 3, arbitrary: keyValues },
  { weight: 2, arbitrary: jsonMapping },
  { weight: 2, arbitrary: yamlMapping },
  { weight: 2, arbitrary: fc.tuple(fc.oneof(jsonMapping, yamlMapping), fc.nat()).map(([text, cut]) => text.slice(0, cut % (text.length + 1))) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "@", "@ ", "{", "[", "[1, 2]", "{}", "[]", "=x", "x", "{a: [1}", '{"a": 1e999}', `{"a": ${"[".repeat(5_000)}${"]".repeat(5_000)}}`, "{a: &x [*x]}", "--", "-e", "a=b=c", "a==", "@@file") },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 100_000 }).map((count) => `big=${"x".repeat(count)}`) },
  { weight: 1, arbitrary: unicodeText },
);

// ---- the suite

describe("fuzz: hostile vars files and extra vars → fleet run --check / fleet audit", () => {
  const worker = new FleetWorker();
  const log = new FailureLog("vars");
  const sandbox = new Sandbox("vars");
  let base: string[] = [];
  let port = 0;
  let inputs = 0;

  beforeAll(async () => {
    port = await closedPort();
    const inventory = path.join(sandbox.root, "inventory", "unreachable.yml");
    mkdirSync(path.dirname(inventory), { recursive: true });
    writeFileSync(inventory, unreachableInventory(port));
    writeFileSync(path.join(sandbox.root, "ssh_config"), "");
    base = ["-i", inventory, "--connect-timeout", "1", "--ssh-config", path.join(sandbox.root, "ssh_config")];
    await worker.start();
  });

  afterAll(async () => {
    await worker.close();
    console.log(summary("vars", inputs, log, worker));
    expect(await refused(port)).toBe(true);
    if (log.failures.length === 0) sandbox.remove();
  });

  /**
   * One run: `siteVars` is the play's vars_files file (garbage or not), `extraFiles` the -e @FILE
   * files, `inline` the other -e values, in the order given (files first).
   */
  async function run(label: string, siteVars: string | undefined, extraFiles: string[], inline: string[], mode: "run" | "audit"): Promise<boolean> {
    inputs++;
    const files: Record<string, string> = { "playbook.yml": PLAYBOOK, "vars/site.yml": siteVars ?? "site_name: fuzz\n" };
    extraFiles.forEach((text, index) => (files[`extra-${index}.yml`] = text));
    const dir = sandbox.input(files);
    const extra = [...extraFiles.map((_, index) => `@${path.join(dir, `extra-${index}.yml`)}`), ...inline];
    const argv = [mode, path.join(dir, "playbook.yml"), ...(mode === "run" ? ["--check"] : []), ...base, ...extra.flatMap((value) => ["-e", value])];
    const outcome = await worker.run(argv);
    // a file that does not parse is 4; an inline value that does not parse is 5 (one that parses but
    // holds a template the play's strings then render may be 4, located in the playbook); else the
    // run's own 3 (unreachable)
    const codes = [3, 4, ...(inline.length > 0 ? [5] : [])];
    const input: FuzzInput = { label, argv, files, dir };
    const ok = log.check(input, outcome, { codes, extraVars: true, files: [path.join(dir, "playbook.yml"), path.join(dir, "vars/site.yml"), ...extraFiles.map((_, index) => path.join(dir, `extra-${index}.yml`))], roots: [dir] });
    sandbox.drop(dir);
    return ok || !STRICT;
  }

  const mode = fc.constantFrom("run" as const, "audit" as const);
  const seedFile = fc.record({ seed: fc.constantFrom(...SEEDS), edits: mutations(yamlTokens) }).map(({ seed, edits }) => ({ label: `${seed.name} ${JSON.stringify(edits)}`, text: applyMutations(seed.text, edits) }));
  const garbageFile = fc.oneof({ weight: 3, arbitrary: seedFile }, { weight: 2, arbitrary: hostileFile.map((text) => ({ label: `hostile ${JSON.stringify(text.slice(0, 40))}`, text })) });

  const fileRuns = share(RUNS, 1, 2);
  it(
    `-e @FILE and vars_files: with garbage: ${fileRuns} inputs`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(garbageFile, { minLength: 0, maxLength: 2 }), fc.option(garbageFile, { nil: undefined }), mode, (extras, site, how) =>
          run(`files: ${[...extras, ...(site === undefined ? [] : [site])].map((file) => file.label).join(" | ")}`, site?.text, extras.map((file) => file.text), [], how),
        ),
        { numRuns: fileRuns, seed: seedOf("vars files"), endOnFailure: true },
      );
      log.assertNone(0);
    },
    testTimeout(fileRuns),
  );

  const inlineRuns = share(RUNS, 1, 2);
  it(
    `-e KEY=VALUE, JSON, YAML and broken strings: ${inlineRuns} inputs`,
    async () => {
      const before = log.failures.length;
      await fc.assert(
        fc.asyncProperty(fc.array(inlineValue, { minLength: 1, maxLength: 4 }), mode, (values, how) => run(`-e ${JSON.stringify(values).slice(0, 200)}`, undefined, [], values, how)),
        { numRuns: inlineRuns, seed: seedOf("vars inline"), endOnFailure: true },
      );
      log.assertNone(before);
    },
    testTimeout(inlineRuns),
  );
});
