/**
 * Hostile inventories (issue #10, fuzz part 1): the real fixtures under test/fixtures/inventory,
 * mutated, and generated inventories built to hurt (alias bombs, huge ranges, cycles, deep
 * nesting, garbage group_vars/host_vars) → `fleet inventory -i … --list | --graph | --host NAME`.
 * Every input ends in a result (exit 0), a located input error (exit 4: file:line) or a usage
 * error (exit 5: --host or -l naming nothing), within the bound per input.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { FailureLog, FleetWorker, REPO, runsFor, Sandbox, seedOf, share, STRICT, summary, testTimeout, type FuzzInput } from "./harness.js";
import { applyMutations, iniTokens, mutations, unicodeText, yamlTokens, type Mutation } from "./mutate.js";

const RUNS = runsFor("INVENTORY", 600);
const FIXTURES = path.join(REPO, "test/fixtures/inventory");
const CODES = [0, 4, 5];

// ---- the fixtures

interface FixtureCase {
  name: string;
  /** Relative path → content, every file of the case (group_vars and host_vars included). */
  files: Record<string, string>;
  /** -i sources, relative to the case (a host list stays as written). */
  sources: string[];
}

const SKIPPED = new Set(["case.json", "list.json", "graph.txt", "errors.txt"]);

function filesUnder(directory: string, prefix = ""): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(directory).sort()) {
    const full = path.join(directory, entry);
    const relative = prefix === "" ? entry : `${prefix}/${entry}`;
    if (statSync(full).isDirectory()) Object.assign(files, filesUnder(full, relative));
    else if (!SKIPPED.has(entry)) files[relative] = readFileSync(full, "utf8");
  }
  return files;
}

function fixtureCases(): FixtureCase[] {
  const cases: FixtureCase[] = [];
  const visit = (directory: string, name: string): void => {
    const caseFile = path.join(directory, "case.json");
    let sources: string[] | undefined;
    try {
      sources = (JSON.parse(readFileSync(caseFile, "utf8")) as { sources?: string[] }).sources;
    } catch {
      sources = undefined;
    }
    const files = filesUnder(directory);
    if (sources === undefined) sources = Object.keys(files).filter((file) => !file.includes("/") && /\.(ya?ml|ini|json)$|^hosts$|^inventory$/.test(file));
    if (Object.keys(files).length > 0 && sources.length > 0) cases.push({ name, files, sources });
  };
  for (const entry of readdirSync(FIXTURES).sort()) {
    const directory = path.join(FIXTURES, entry);
    if (!statSync(directory).isDirectory()) continue;
    if (entry === "errors") {
      for (const error of readdirSync(directory).sort()) visit(path.join(directory, error), `errors/${error}`);
    } else {
      visit(directory, entry);
    }
  }
  return cases;
}

const CASES = fixtureCases();

const isYaml = (file: string): boolean => /\.(ya?ml|json)$/.test(file) || file.includes("_vars/");

// ---- what is asked of the inventory

type Action = { kind: "list" } | { kind: "graph" } | { kind: "host"; name: string };

const hostNames = fc.oneof(
  fc.constantFrom("web1", "web01", "db1", "tb1", "h1", "h0", "node1", "w1", "c1", "shared1", "all", "ungrouped", "*", "~.*", "web[0]", "!all"),
  unicodeText,
);

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: "list" as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: "graph" as const }) },
  { weight: 2, arbitrary: hostNames.map((name) => ({ kind: "host" as const, name })) },
);

const limitArbitrary = fc.option(
  fc.oneof(fc.constantFrom("all", "web", "web:&prod", "all:!db", "~w.*", "tb*", "web[0:1]", "nothing", "@missing-file", "*a*a*a*a*a*a*a*a*a*a*a*b", "*[ab]*[ab]*[ab]*[ab]*[ab]*[ab]*[ab]*c", "?*?*?*?*?*?*?*?*?*!"), unicodeText),
  { freq: 5 },
);

function actionArgs(action: Action): string[] {
  if (action.kind === "host") return ["--host", action.name];
  return [`--${action.kind}`];
}

// ---- generated hostile inventories

/** "Billion laughs" in the places an inventory holds YAML values, keys and group definitions. */
function aliasBomb(kind: number, width: number, depth: number): Record<string, string> {
  const items = (name: string): string => `[${Array.from({ length: width }, () => `*${name}`).join(", ")}]`;
  const ladder = (indent: string): string[] => {
    const lines = [`${indent}l0: &l0 [${Array.from({ length: width }, () => '"lol"').join(", ")}]`];
    for (let level = 1; level < depth; level++) lines.push(`${indent}l${level}: &l${level} ${items(`l${level - 1}`)}`);
    return lines;
  };
  const top = `l${depth - 1}`;
  switch (kind % 8) {
    case 0: // a group variable
      return { "hosts.yml": ["all:", "  vars:", ...ladder("    "), "  hosts:", "    h1:", ""].join("\n") };
    case 1: // a host's variables are the bomb itself
      return { "hosts.yml": ["x:", "  vars:", ...ladder("    "), "all:", "  hosts:", `    h1: *${top}`, ""].join("\n") };
    case 2: // plugin: names the bomb
      return { "hosts.yml": ["x:", "  vars:", ...ladder("    "), `plugin: *${top}`, ""].join("\n") };
    case 3: // a mapping key is the bomb
      return { "hosts.yml": ["x:", "  vars:", ...ladder("    "), "all:", "  vars:", `    ? *${top}`, "    : 1", ""].join("\n") };
    case 4: {
      // group definitions that name each other twice, level after level
      const lines = ["g0: &g0 {hosts: {h0: }}"];
      for (let level = 1; level < depth * 4; level++) lines.push(`g${level}: &g${level} {children: {g${level - 1}: *g${level - 1}, x${level - 1}: *g${level - 1}}}`);
      return { "hosts.yml": `${lines.join("\n")}\n` };
    }
    case 5: {
      // merge keys that merge the same mapping twice, level after level
      const lines = ["x:", "  vars:", "    m0: &m0 {a: 1}"];
      for (let level = 1; level < depth * 4; level++) lines.push(`    m${level}: &m${level} {<<: [*m${level - 1}, *m${level - 1}]}`);
      lines.push("all:", "  vars:", `    <<: *m${depth * 4 - 1}`, "  hosts:", `    h1: {<<: *m${depth * 4 - 1}}`, "");
      return { "hosts.yml": lines.join("\n") };
    }
    case 6: {
      // a group with a large variable (under the alias limit) read again and again through aliases
      const lines = ["x:", "  vars:", ...ladder("    ").slice(0, 2), `g0: &g0 {vars: {big: *l${Math.min(1, depth - 1)}}, hosts: {h0: }}`];
      for (let level = 1; level < depth * 3; level++) lines.push(`g${level}: &g${level} {children: {g${level - 1}: *g${level - 1}, x${level - 1}: *g${level - 1}}}`);
      return { "hosts.yml": `${lines.join("\n")}\n` };
    }
    default:
      // in group_vars
      return { "hosts.yml": "all:\n  hosts:\n    h1:\n", "group_vars/all.yml": `${ladder("").join("\n")}\nbomb: *${top}\n` };
  }
}

const bigNumbers = ["99999", "100000", "999999", "99999999", "9007199254740993", "99999999999999999999", "18446744073709551616"];

function rangeInventory(format: "yaml" | "ini", ranges: Array<{ start: string; end: string; step: string | undefined; times: number }>): Record<string, string> {
  const names = ranges.map(({ start, end, step, times }, index) => `h${index}-` + `[${start}:${end}${step === undefined ? "" : `:${step}`}]`.repeat(times));
  if (format === "ini") return { "hosts.ini": `[web]\n${names.join("\n")}\n[web:vars]\nx=1\n` };
  return { "hosts.yml": `all:\n  children:\n    web:\n      hosts:\n${names.map((name) => `        "${name}":`).join("\n")}\n` };
}

function groupGraph(format: "yaml" | "ini", groups: number, edges: Array<[number, number]>): Record<string, string> {
  const children = new Map<number, number[]>();
  for (const [parent, child] of edges) children.set(parent % groups, [...(children.get(parent % groups) ?? []), child % groups]);
  if (format === "ini") {
    const lines: string[] = [];
    for (let group = 0; group < groups; group++) lines.push(`[g${group}]`, `h${group}`);
    for (const [parent, list] of children) lines.push(`[g${parent}:children]`, ...list.map((child) => `g${child}`));
    return { "hosts.ini": `${lines.join("\n")}\n` };
  }
  const lines: string[] = [];
  for (let group = 0; group < groups; group++) {
    lines.push(`g${group}:`, "  hosts:", `    h${group}:`);
    const list = children.get(group);
    if (list !== undefined) lines.push("  children:", ...list.map((child) => `    g${child}:`));
  }
  return { "hosts.yml": `${lines.join("\n")}\n` };
}

function deepInventory(kind: number, depth: number): Record<string, string> {
  switch (kind % 8) {
    case 0: // nested children, flow style
      return { "hosts.yml": `all: {children: ${Array.from({ length: depth }, (_, level) => `{g${level}: {hosts: {h${level}: }, children: `).join("")}{}${"}}".repeat(depth)}}\n` };
    case 1: {
      // nested children, block style (the indentation grows with the square of the depth: 1,000 levels are 4 MB)
      const lines = ["all:", "  children:"];
      for (let level = 0; level < Math.min(depth, 1_000); level++) lines.push(`${"    ".repeat(level + 1)}g${level}:`, `${"    ".repeat(level + 1)}  children:`);
      return { "hosts.yml": `${lines.join("\n")}\n` };
    }
    case 2: {
      // an INI chain, parents first
      const lines: string[] = [];
      for (let level = 0; level < depth; level++) lines.push(`[g${level}:children]`, `g${level + 1}`);
      lines.push(`[g${depth}]`, "h1");
      return { "hosts.ini": `${lines.join("\n")}\n` };
    }
    case 3: {
      // an INI chain, children first
      const lines = [`[g${depth}]`, "h1"];
      for (let level = depth - 1; level >= 0; level--) lines.push(`[g${level}:children]`, `g${level + 1}`);
      return { "hosts.ini": `${lines.join("\n")}\n` };
    }
    case 4: // a deep value
      return { "hosts.yml": `all:\n  hosts:\n    h1:\n      v: ${"[".repeat(depth)}${"]".repeat(depth)}\n      m: ${"{a: ".repeat(depth)}1${"}".repeat(depth)}\n` };
    case 5: // a deep INI literal
      return { "hosts.ini": `h1 a=${"[".repeat(depth)}${"]".repeat(depth)} b=${"(".repeat(depth)}1${")".repeat(depth)}\n[all:vars]\nc=${"{1: ".repeat(depth)}2${"}".repeat(depth)}\n` };
    case 6: {
      // diamonds: every level has two groups that share the next one (the graph doubles per level)
      const lines: string[] = [];
      // 45 levels of two: 90 deep (within the nesting fleet reads), 2^45 paths through the graph
      for (let level = 0; level < Math.min(depth, 45); level++) {
        lines.push(`[a${level}:children]`, `b${level}`, `c${level}`, `[b${level}:children]`, `a${level + 1}`, `[c${level}:children]`, `a${level + 1}`);
      }
      lines.push(`[a${Math.min(depth, 45)}]`, "h1", "h2");
      return { "hosts.ini": `${lines.join("\n")}\n` };
    }
    default: {
      // wide: very many children of one group (some never declared), many parents of another
      // (up to 100,000: 474,000 groups and as many hosts, a 24 MB file, take 15 s and 2 GB)
      const width = Math.min(depth * 10, 100_000);
      const lines = ["[big:children]"];
      for (let index = 0; index < width; index++) lines.push(`g${index}`);
      for (let index = 0; index < width; index += depth % 2 === 0 ? 1 : 7) lines.push(`[g${index}:children]`, "common", `[g${index}]`, `h${index}`);
      lines.push("[common]", "shared");
      return { "hosts.ini": `${lines.join("\n")}\n` };
    }
  }
}

const garbageName = fc.oneof(fc.constantFrom("all", "web", "h1", "db", "g", "all.yml", "web.yaml", "h1.json", "web.txt", ".hidden.yml", "web~", "all.yml.bak"), unicodeText.filter((name) => name !== "" && !/[/\0\n]/.test(name) && name !== "." && name !== ".."));
const garbageContent = fc.oneof(
  fc.constantFrom("", "---\n", "~\n", "- a\n- b\n", "just text\n", "1\n", "true\n", "[]\n", "{}\n", "a: [\n", "a: *missing\n", "\0\0\0", "$ANSIBLE_VAULT;1.1;AES256\n6162\n", "a: !vault |\n  x\n", "a: 1\na: 2\n", "ansible_port: x\n", "lxd_cluster: []\n"),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...yamlTokens), maxLength: 20 }),
);

function varsDirs(entries: Array<{ kind: "group_vars" | "host_vars"; name: string; content: string; nested: string | undefined }>): Record<string, string> {
  const files: Record<string, string> = { "hosts.yml": "all:\n  vars: {a: 1}\n  hosts:\n    h1:\n    h1.json:\n  children:\n    web:\n      hosts: {w1: , h1: }\n    db:\n" };
  for (const { kind, name, content, nested } of entries) {
    const file = nested === undefined ? `${kind}/${name}` : `${kind}/${nested}/${name}`;
    // a name is a file or a directory, not both
    const clash = Object.keys(files).some((other) => other.startsWith(`${file}/`) || file.startsWith(`${other}/`));
    if (!clash) files[file] = content;
  }
  return files;
}

interface Generated {
  label: string;
  files: Record<string, string>;
}

const generated: fc.Arbitrary<Generated> = fc.oneof(
  fc.record({ kind: fc.nat(), width: fc.integer({ min: 2, max: 12 }), depth: fc.integer({ min: 2, max: 9 }) }).map(({ kind, width, depth }) => ({ label: `alias bomb ${kind % 8}`, files: aliasBomb(kind, width, depth) })),
  fc
    .record({
      format: fc.constantFrom("yaml" as const, "ini" as const),
      ranges: fc.array(fc.record({ start: fc.constantFrom("0", "00", "1", "a", "A", ""), end: fc.constantFrom(...bigNumbers, "9", "z", "Z", "09"), step: fc.option(fc.constantFrom("1", "0", "2", "99999999999999999999"), { nil: undefined }), times: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 12 }),
    })
    .map(({ format, ranges }) => ({ label: "huge ranges", files: rangeInventory(format, ranges) })),
  fc
    .record({ format: fc.constantFrom("yaml" as const, "ini" as const), groups: fc.integer({ min: 1, max: 12 }), edges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }) })
    .map(({ format, groups, edges }) => ({ label: "group graph with cycles", files: groupGraph(format, groups, edges) })),
  fc
    .record({ kind: fc.nat(), depth: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 20, max: 130 }) }, { weight: 4, arbitrary: fc.integer({ min: 200, max: 3_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 50_000 }) }) })
    .map(({ kind, depth }) => ({ label: `deep nesting ${kind % 8} (${depth})`, files: deepInventory(kind, depth) })),
  fc
    .array(fc.record({ kind: fc.constantFrom("group_vars" as const, "host_vars" as const), name: garbageName, content: garbageContent, nested: fc.option(fc.constantFrom("all", "web", "h1", "db"), { nil: undefined }) }), { minLength: 1, maxLength: 6 })
    .map((entries) => ({ label: "garbage group_vars/host_vars", files: varsDirs(entries) })),
  // long names, for patterns that backtrack on them and for the closest-name suggestions
  fc
    .record({ length: fc.integer({ min: 30, max: 20_000 }), count: fc.integer({ min: 1, max: 50 }) })
    .map(({ length, count }) => ({ label: "long names", files: { "hosts.ini": `[${"g".repeat(length)}]\n${Array.from({ length: count }, (_, index) => `${"a".repeat(length)}${index}`).join("\n")}\n` } })),
);

// ---- the suite

describe("fuzz: hostile inventories → fleet inventory", () => {
  const worker = new FleetWorker();
  const log = new FailureLog("inventory");
  const sandbox = new Sandbox("inventory");
  let inputs = 0;

  beforeAll(async () => {
    await worker.start();
  });

  afterAll(async () => {
    await worker.close();
    console.log(summary("inventories", inputs, log, worker));
    if (log.failures.length === 0) sandbox.remove();
  });

  async function run(label: string, files: Record<string, string>, sources: (dir: string) => string[], action: Action, limit: string | null): Promise<boolean> {
    const dir = sandbox.input(files);
    const argv = ["inventory", ...sources(dir).flatMap((source) => ["-i", source]), ...actionArgs(action), ...(limit === null ? [] : ["-l", limit])];
    inputs++;
    const outcome = await worker.run(argv, { jsonStdout: action.kind !== "graph" });
    const input: FuzzInput = { label, argv, files, dir };
    const ok = log.check(input, outcome, { codes: CODES, files: sources(dir), roots: [dir] });
    sandbox.drop(dir);
    return ok || !STRICT;
  }

  const fixtureRuns = share(RUNS, 3, 5);
  it(
    `mutated fixtures (YAML, INI, host lists, group_vars): ${fixtureRuns} inputs`,
    async () => {
      const input = fc
        .record({
          fixture: fc.constantFrom(...CASES),
          targets: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
          edits: fc.array(fc.record({ yaml: mutations(yamlTokens), ini: mutations([...iniTokens, ...yamlTokens]) }), { minLength: 2, maxLength: 2 }),
          action: actionArbitrary,
          limit: limitArbitrary,
        })
        .map(({ fixture, targets, edits, action, limit }) => {
          const names = Object.keys(fixture.files);
          const sourceFiles = fixture.sources.filter((source) => source in fixture.files);
          const files = { ...fixture.files };
          const changed: Array<{ file: string; edits: Mutation[] }> = [];
          let hostList = fixture.sources.find((source) => !(source in fixture.files) && source.includes(","));
          targets.forEach((target, index) => {
            // mostly the inventory files themselves, sometimes a group_vars/host_vars file
            const pool = target % 3 === 0 || sourceFiles.length === 0 ? names : sourceFiles;
            const file = pool[target % pool.length] as string;
            const pair = edits[index];
            const list = (isYaml(file) ? pair?.yaml : pair?.ini) ?? [];
            files[file] = applyMutations(files[file] ?? "", list);
            changed.push({ file, edits: list });
          });
          if (hostList !== undefined) hostList = applyMutations(hostList, edits[0]?.ini ?? []);
          return { fixture: fixture.name, files, sources: fixture.sources, hostList, changed, action, limit };
        });
      await fc.assert(
        fc.asyncProperty(input, (item) =>
          run(
            `fixture ${item.fixture}: ${item.changed.map((change) => `${change.file} ${JSON.stringify(change.edits)}`).join(", ")}`,
            item.files,
            (dir) => item.sources.map((source) => (source in item.files || !source.includes(",") ? path.join(dir, source) : (item.hostList ?? source))),
            item.action,
            item.limit,
          ),
        ),
        { numRuns: fixtureRuns, seed: seedOf("inventory fixtures"), endOnFailure: true },
      );
      log.assertNone(0);
    },
    testTimeout(fixtureRuns),
  );

  const generatedRuns = share(RUNS, 2, 5);
  it(
    `generated hostile inventories (alias bombs, huge ranges, cycles, deep nesting, garbage vars dirs): ${generatedRuns} inputs`,
    async () => {
      const before = log.failures.length;
      await fc.assert(
        fc.asyncProperty(generated, actionArbitrary, fc.boolean(), limitArbitrary, (item, action, asDirectory, limit) =>
          run(item.label, item.files, (dir) => (asDirectory ? [dir] : [path.join(dir, Object.keys(item.files).find((file) => !file.includes("/")) ?? "hosts.yml")]), action, limit),
        ),
        { numRuns: generatedRuns, seed: seedOf("inventory generated"), endOnFailure: true },
      );
      log.assertNone(before);
    },
    testTimeout(generatedRuns),
  );
});
