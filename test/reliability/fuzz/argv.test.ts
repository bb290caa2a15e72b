/**
 * Hostile command lines (issue #10, fuzz part 4): random argument lists for every subcommand,
 * built from fleet's real options (read from the commander program itself, so a new option is
 * fuzzed as soon as it exists) with values that are right, wrong, missing, huge, negative, NaN,
 * unicode, and files that are garbage: fleet-report/v1 JSON mutated field by field for `report
 * render/merge/diff` and `--baseline`, waivers files, inventories, playbooks. Every input ends in
 * a result, an input error located in the file (4) or a usage error (5) within the bound per input.
 *
 * Safety: `exec`, `run` and `audit` only ever see inventories whose one host is 127.0.0.1 on a
 * closed port (or inventories that cannot be read), and ssh configs that route nowhere. No token
 * of their command lines holds a comma (a path that does not exist but holds one is a host list),
 * and garbage never starts with a dash (which could be a short option with its value attached).
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Command, Option } from "commander";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { buildProgram } from "../../../src/cli/program.js";
import { captureIo } from "../../support/capture-io.js";
import { closedPort, FailureLog, FleetWorker, REPO, refused, repoFile, runsFor, Sandbox, seedOf, STRICT, summary, testTimeout, unreachableInventory, type FuzzInput } from "./harness.js";
import { applyMutations, hostileNumbers, mutations, unicodeText, yamlTokens } from "./mutate.js";

const RUNS = runsFor("ARGV", 800);

// ---- fleet's commands and options, as commander knows them

interface CommandShape {
  /** ["report", "render"] */
  path: string[];
  options: Array<{ flags: string; long: string | undefined; short: string | undefined; name: string; takesValue: boolean; choices: readonly string[] | undefined }>;
  positionals: Array<{ name: string; variadic: boolean; required: boolean }>;
}

function commandShapes(): CommandShape[] {
  const program = buildProgram({ io: captureIo().io, setExitCode: () => undefined });
  const shapes: CommandShape[] = [];
  const walk = (command: Command, prefix: string[]): void => {
    if (prefix.length > 0 && command.commands.length === 0) {
      shapes.push({
        path: prefix,
        options: command.options.map((option: Option) => ({ flags: option.flags, long: option.long, short: option.short, name: option.attributeName(), takesValue: option.required || option.optional, choices: option.argChoices })),
        positionals: command.registeredArguments.map((argument) => ({ name: argument.name(), variadic: argument.variadic, required: argument.required })),
      });
    }
    for (const sub of command.commands) walk(sub, [...prefix, sub.name()]);
  };
  walk(program, []);
  return shapes;
}

const SHAPES = commandShapes();
/** Commands that connect to hosts: their inventories and ssh configs come from the safe pool only. */
const CONNECTING = new Set(["exec", "run", "audit"]);

// ---- values

/** Garbage that is never an option (no leading dash) and never a host list (no comma). */
const garbage = fc.oneof(
  unicodeText,
  fc.constantFrom("", " ", "x", "true", "null", "undefined", "NaN", "{}", "[]", "@", "@missing", "~", "~root", ".", "..", "all", "*", "~(", "\\", "'", '"', "$(true)", "`true`", ";", "|", "&&"),
  fc.constantFrom(...hostileNumbers),
).map((text) => text.replace(/,/g, "").replace(/^-+/, ""));

/** Dash tokens: unknown options, separators, combined flags — none that takes -i's value glued on. */
const dashTokens = fc.constantFrom("-", "--", "---", "-x", "-Z", "--no-such-option", "--json=1", "--list=yes", "-bv", "-Cv", "-vvvv", "--help", "-h", "-V", "--version", "--=");

interface Pool {
  /** Safe for connecting commands: unreachable, or unreadable. */
  safeInventories: string[];
  /** Any inventory, for `fleet inventory`. */
  inventories: string[];
  sshConfigs: string[];
  playbooks: string[];
  reports: string[];
  waivers: string[];
  outputs: string[];
  /** Files written for this input (mutated reports and waivers). */
  fresh: { report: string; waivers: string; playbook: string };
}

/** A value for an option, by what the option is for. */
function optionValue(name: string, command: string, choices: readonly string[] | undefined, pool: Pool): fc.Arbitrary<string> {
  const connecting = CONNECTING.has(command);
  const files = (list: readonly string[]): fc.Arbitrary<string> => fc.constantFrom(...list);
  const numbers = fc.oneof(fc.constantFrom("1", "2", "50", "0.5", "1.5", "10"), fc.constantFrom(...hostileNumbers), garbage);
  switch (name) {
    case "inventory":
      return connecting ? files(pool.safeInventories) : fc.oneof(files(pool.inventories), files(pool.safeInventories), garbage);
    case "sshConfig":
      return files(pool.sshConfigs);
    case "limit":
    case "host":
      return fc.oneof(fc.constantFrom("all", "target", "*", "t*", "~t.*", "~(", "!target", "all:!target", "&target", "target[0]", "target[9]", "@missing-file", "nothing", "web", "tb1"), garbage);
    case "forks":
    case "connectTimeout":
    case "timeout":
      return numbers;
    case "tags":
    case "skipTags":
      return fc.oneof(fc.constantFrom("always", "never", "all", "tagged", "untagged", "a,b", ",", "LXD-MU-03"), garbage).map((text) => (connecting ? text.replace(/,/g, " ") : text));
    case "extraVars":
      return fc.oneof(fc.constantFrom("a=1", "x=", "=x", "a=b c=d", '{"a": 1}', "{a: [1}", "[1]", `@${pool.fresh.report}`, `@${pool.fresh.waivers}`, "@", "@/nonexistent/vars.yml", 'msg="open'), garbage).map((text) => (connecting ? text.replace(/,/g, " ") : text));
    case "report":
    case "output":
      return files(pool.outputs);
    case "waivers":
      return fc.oneof(files(pool.waivers), fc.constant(pool.fresh.waivers), garbage);
    case "baseline":
      return fc.oneof(files(pool.reports), fc.constant(pool.fresh.report), garbage);
    default:
      return choices === undefined ? garbage : fc.oneof(fc.constantFrom(...choices), garbage);
  }
}

function positionalValue(name: string, command: string, pool: Pool): fc.Arbitrary<string[]> {
  const one = (arbitrary: fc.Arbitrary<string>): fc.Arbitrary<string[]> => arbitrary.map((value) => [value]);
  switch (name) {
    case "playbook":
      return one(fc.oneof(fc.constantFrom(...pool.playbooks), fc.constant(pool.fresh.playbook), fc.constantFrom("baseline", "baseline.yml", "usg-waivers", "nosuch"), garbage));
    case "command":
      return fc.oneof(fc.constant<string[]>(["true"]), fc.array(fc.oneof(fc.constant("true"), garbage), { minLength: 1, maxLength: 3 }));
    case "reports":
      return fc.array(fc.oneof(fc.constantFrom(...pool.reports), fc.constant(pool.fresh.report), garbage), { minLength: 1, maxLength: 4 });
    default:
      return one(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool.reports) }, { weight: 4, arbitrary: fc.constant(pool.fresh.report) }, { weight: 1, arbitrary: garbage }));
  }
}

/** A command line for one command: its options in any order, some without their value, some twice, some garbage. */
function commandLine(shape: CommandShape, pool: Pool): fc.Arbitrary<string[]> {
  const command = shape.path[0] ?? "";
  const option = fc.constantFrom(...shape.options).chain((spec) => {
    const flag = fc.constantFrom(...[spec.long, spec.short].filter((text): text is string => text !== undefined));
    if (!spec.takesValue) return flag.map((text) => [text]);
    const value = optionValue(spec.name, command, spec.choices, pool);
    const forms = [
      { weight: 8, arbitrary: fc.tuple(flag, value).map(([text, item]) => [text, item]) },
      { weight: 1, arbitrary: fc.tuple(fc.constant(spec.long ?? spec.short ?? ""), value).map(([text, item]) => [text.startsWith("--") ? `${text}=${item}` : `${text}${item}`]) },
    ];
    // the value left out: the next token (or nothing) takes its place; never where that token could
    // be an inventory or ssh config a connecting command would use, or a file a report is written to
    const leftOut = !(CONNECTING.has(command) && ["inventory", "sshConfig"].includes(spec.name)) && !["report", "output"].includes(spec.name);
    return leftOut ? fc.oneof(...forms, { weight: 1, arbitrary: flag.map((text) => [text]) }) : fc.oneof(...forms);
  });
  const positionals = fc.tuple(...shape.positionals.map((spec) => fc.oneof({ weight: 6, arbitrary: positionalValue(spec.name, command, pool) }, { weight: 1, arbitrary: fc.constant<string[]>([]) })));
  const extras = fc.array(fc.oneof({ weight: 3, arbitrary: garbage }, { weight: 1, arbitrary: dashTokens }), { maxLength: 2 });
  return fc.tuple(fc.array(option, { maxLength: 7 }), positionals, extras, fc.nat(), fc.boolean()).map(([options, positional, extra, where, separator]) => {
    const words = [...options.flat(), ...positional.flat()];
    // exec's command goes after --, as documented; sometimes it is not
    if (command === "exec" && separator) {
      const [first = "true", ...rest] = positional.flat();
      words.splice(words.length - positional.flat().length, positional.flat().length, "--", first, ...rest);
    }
    const at = words.length === 0 ? 0 : where % (words.length + 1);
    words.splice(at, 0, ...extra);
    return [...shape.path, ...words];
  });
}

// ---- mutated JSON reports

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const hostileJson: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, "", "x", "fleet-report/v2", "not a date", "2026-13-45T99:99:99Z", "pass", "fail", "waived", [], {}, [null], { id: null }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.integer({ min: 1_000, max: 300_000 }).map((length) => "x".repeat(length)),
  fc.integer({ min: 1_000, max: 200_000 }).map((count) => "`a|\n<b>&".repeat(count)),
  fc.integer({ min: 50, max: 800 }).map((depth) => {
    let value: Json = 1;
    for (let level = 0; level < depth; level++) value = [value];
    return value;
  }),
);

type JsonEdit = { op: "set"; at: number; value: Json } | { op: "delete"; at: number } | { op: "duplicate"; at: number; times: number };

const jsonEdits: fc.Arbitrary<JsonEdit[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: hostileJson }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("duplicate" as const), at: fc.nat(), times: fc.integer({ min: 1, max: 2_000 }) }) },
  ),
  { minLength: 1, maxLength: 4 },
);

/** Every place in the document: its holder and key. */
function places(root: Json): Array<{ holder: Json[] | { [key: string]: Json }; key: string | number }> {
  const found: Array<{ holder: Json[] | { [key: string]: Json }; key: string | number }> = [];
  const walk = (value: Json): void => {
    if (Array.isArray(value)) value.forEach((item, index) => (found.push({ holder: value, key: index }), walk(item)));
    else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) (found.push({ holder: value, key }), walk(item));
  };
  walk(root);
  return found;
}

function editJson(text: string, edits: readonly JsonEdit[]): string {
  const root = JSON.parse(text) as Json;
  for (const edit of edits) {
    const all = places(root);
    const place = all[edit.at % Math.max(1, all.length)];
    if (place === undefined) continue;
    const { holder, key } = place;
    // copies of a big value are kept below a few megabytes of JSON
    const size = edit.op === "duplicate" ? (JSON.stringify(Array.isArray(holder) ? holder[key as number] : holder[key as string]) ?? "").length : 0;
    if (edit.op === "duplicate" && size * edit.times > 4_000_000) continue;
    if (Array.isArray(holder) && typeof key === "number") {
      if (edit.op === "set") holder[key] = edit.value;
      else if (edit.op === "delete") holder.splice(key, 1);
      else holder.splice(key, 0, ...Array.from({ length: edit.times }, () => structuredClone(holder[key] ?? null)));
    } else if (!Array.isArray(holder) && typeof key === "string") {
      if (edit.op === "set") holder[key] = edit.value;
      else if (edit.op === "delete") delete holder[key];
      else holder[`${key}_${edit.times}`] = structuredClone(holder[key] ?? null);
    }
  }
  // indented as fleet writes it, unless the indentation alone would be megabytes (deep nesting)
  const compact = JSON.stringify(root);
  return compact.length > 200_000 ? compact : JSON.stringify(root, null, 2);
}

const REPORT_SEEDS = [repoFile("test/fixtures/report/synthetic-report.json"), repoFile("test/fixtures/report/real-audit.json")];
const WAIVER_SEEDS = readdirSync(path.join(REPO, "test/fixtures/waivers"))
  .filter((file) => file.endsWith(".yml"))
  .sort()
  .map((file) => repoFile(`test/fixtures/waivers/${file}`));

/** A valid report of many hosts and controls, every result the same. */
function largeReport(hosts: number, controls: number, status: string): string {
  const ids = Array.from({ length: controls }, (_, index) => `LXD-FUZZ-${index}`);
  return JSON.stringify({
    schema: "fleet-report/v1",
    mode: "audit",
    playbook: "playbooks/baseline.yml",
    startedAt: "2026-12-02T00:00:00.000Z",
    finishedAt: "2026-12-02T00:00:01.000Z",
    summary: { hosts, unreachable: 0, changed: 0, failed: 0, controls: { pass: 0, fail: 0, error: 0, waived: 0, not_applicable: 0 }, score: 0 },
    hosts: Array.from({ length: hosts }, (_, index) => ({ name: `h${index}`, cluster: null, status: "ok", error: null, tasks: [], controls: ids.map((id) => ({ id, status, expected: null, actual: null, message: "`x`" })) })),
    controls: ids.map((id) => ({ id, title: id, severity: "high", scope: "host", remediation: "" })),
  });
}

const freshReport = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...REPORT_SEEDS), jsonEdits).map(([seed, edits]) => editJson(seed, edits)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...REPORT_SEEDS), mutations([...yamlTokens, '"', "{", "}", "[", "]", ",", ":", "null", "1e999", "\\u0000", '\\ud800"'])).map(([seed, edits]) => applyMutations(seed, edits)) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom("", "{}", "[]", "null", '{"schema": "fleet-report/v1"}', "<html></html>", "# report\n", "\0"), unicodeText) },
  // a large report: every host fails every control (a diff against a real report lists them all)
  { weight: 1, arbitrary: fc.record({ hosts: fc.integer({ min: 10, max: 400 }), controls: fc.integer({ min: 10, max: 300 }), status: fc.constantFrom("fail", "error", "pass") }).map(({ hosts, controls, status }) => largeReport(hosts, controls, status)) },
  // nested deeper than JSON.stringify here would write
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((depth) => `{"schema": "fleet-report/v1", "hosts": ${"[".repeat(depth)}${"]".repeat(depth)}}`) },
);
const freshWaivers = fc.tuple(fc.constantFrom(...WAIVER_SEEDS), mutations(yamlTokens)).map(([seed, edits]) => applyMutations(seed, edits));
const freshPlaybook = fc.tuple(fc.constantFrom(repoFile("playbooks/baseline.yml"), repoFile("test/fixtures/playbook/valid/site.yml")), mutations(yamlTokens)).map(([seed, edits]) => applyMutations(seed, edits));

// ---- the suite

describe("fuzz: hostile command lines → every fleet subcommand", () => {
  const worker = new FleetWorker();
  const log = new FailureLog("argv");
  const sandbox = new Sandbox("argv");
  const cwd = path.join(sandbox.root, "cwd");
  const files = path.join(sandbox.root, "files");
  const out = path.join(sandbox.root, "out");
  let port = 0;
  let inputs = 0;
  let previousCwd = "";
  let pool: Omit<Pool, "fresh">;

  beforeAll(async () => {
    port = await closedPort();
    for (const dir of [cwd, files, out, path.join(files, "inventory-dir"), path.join(files, "empty-dir"), path.join(out, "a-directory.json")]) mkdirSync(dir, { recursive: true });
    const write = (name: string, content: string | Buffer): string => {
      writeFileSync(path.join(files, name), content);
      return path.join(files, name);
    };
    const unreachable = write("unreachable.yml", unreachableInventory(port));
    writeFileSync(path.join(files, "inventory-dir", "hosts.yml"), unreachableInventory(port));
    cpSync(path.join(REPO, "test/fixtures/report"), path.join(files, "reports"), { recursive: true });
    cpSync(path.join(REPO, "test/fixtures/waivers"), path.join(files, "waivers"), { recursive: true });
    const inventoryFixtures = ["yaml-basic/hosts.yml", "ini-basic/hosts.ini", "ranges/hosts.yml", "lxd-clusters/hosts.yml", "errors/yaml-syntax/hosts.yml", "errors/cycle-ini/hosts.ini", "errors/yaml-alias-bomb/hosts.yml", "group-vars-dirs/inventory.yml"].map((file) => path.join(REPO, "test/fixtures/inventory", file));
    pool = {
      safeInventories: [unreachable, path.join(files, "inventory-dir"), path.join(files, "empty-dir"), write("broken-inventory.yml", "all:\n  hosts: [unterminated\n"), write("empty.yml", ""), path.join(files, "missing.yml")],
      inventories: inventoryFixtures,
      sshConfigs: [write("ssh_config", ""), write("ssh_config_binary", Buffer.from([0, 255, 254, 10, 0x1b, 0x5b])), write("ssh_config_include", "Include /nonexistent/fleet-fuzz/*\n"), write("ssh_config_options", "Host *\n  StrictHostKeyChecking no\n  ConnectTimeout 1\n"), path.join(files, "missing_ssh_config"), path.join(files, "empty-dir")],
      playbooks: [write("playbook.yml", "- hosts: all\n  tasks:\n    - name: probe\n      command: 'true'\n      tags: [probe]\n"), write("empty-playbook.yml", ""), path.join(files, "empty-dir"), write("site.yml", repoFile("test/fixtures/playbook/valid/site.yml")), write("many-problems.yml", repoFile("test/fixtures/playbook/broken/many-problems.yml"))],
      reports: [
        ...readdirSync(path.join(files, "reports")).sort().map((file) => path.join(files, "reports", file)),
        write("large-pass.json", largeReport(200, 150, "pass")),
        path.join(files, "empty.yml"),
        path.join(files, "empty-dir"),
        path.join(files, "missing-report.json"),
      ],
      waivers: readdirSync(path.join(files, "waivers")).sort().map((file) => path.join(files, "waivers", file)),
      // where reports may be written: in the sandbox only (relative names land in its cwd)
      outputs: ["out.json", "out.md", "out.html", "out.htm", "out.xml", "out.txt", "out", "out.pdf", "OUT.JSON", "nested/deeper/out.json", ".json", "é😀.md", ...["r.json", "r.md", "r.html", "r.xml", "r.txt", "a-directory.json", "a-directory.json", "a-directory.json", "missing-dir/r.json"].map((name) => path.join(out, name))],
    };
    previousCwd = process.cwd();
    // relative paths on a fuzzed command line (outputs, garbage) resolve inside the sandbox
    process.chdir(cwd);
    await worker.start();
  });

  afterAll(async () => {
    await worker.close();
    if (previousCwd !== "") process.chdir(previousCwd);
    console.log(summary("command lines", inputs, log, worker));
    expect(await refused(port)).toBe(true);
    if (log.failures.length === 0) sandbox.remove();
  });

  const codesFor = (argv: readonly string[]): number[] => {
    // help and version end a command line with 0 wherever they are (unless taken as an option's value)
    const help = argv.some((word) => ["--help", "-h", "--version", "-V"].includes(word)) ? [0] : [];
    return [...help, ...normalCodes(argv)];
  };
  const normalCodes = (argv: readonly string[]): number[] => {
    const command = argv[0] ?? "";
    if (command === "exec") return [3, 4, 5];
    if (command === "run" || command === "audit") return [0, 2, 3, 4, 5];
    if (command === "report") return argv[1] === "diff" ? [0, 2, 4, 5] : [0, 4, 5];
    return [0, 4, 5];
  };

  const shape = fc.constantFrom(...SHAPES);
  const input = fc.record({ report: freshReport, waivers: freshWaivers, playbook: freshPlaybook, seed: fc.nat() });

  it(
    `random command lines of ${SHAPES.map((item) => item.path.join(" ")).join(", ")} and none: ${RUNS} inputs`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          input.chain((fresh) => {
            const dir = path.join(sandbox.root, "fresh");
            const full: Pool = { ...pool, fresh: { report: path.join(dir, "report.json"), waivers: path.join(dir, "waivers.yml"), playbook: path.join(dir, "playbook.yml") } };
            const line = fc.oneof({ weight: 12, arbitrary: shape.chain((item) => commandLine(item, full)) }, { weight: 1, arbitrary: fc.array(fc.oneof(garbage, dashTokens), { maxLength: 4 }) });
            return line.map((argv) => ({ argv, fresh }));
          }),
          async ({ argv, fresh }) => {
            inputs++;
            const written = { "report.json": fresh.report, "waivers.yml": fresh.waivers, "playbook.yml": fresh.playbook };
            const dir = path.join(sandbox.root, "fresh");
            mkdirSync(dir, { recursive: true });
            for (const [name, content] of Object.entries(written)) writeFileSync(path.join(dir, name), content);
            if (CONNECTING.has(argv[0] ?? "") && argv.some((word) => word.includes(","))) throw new Error(`unsafe command line (a comma): ${JSON.stringify(argv)}`);
            const outcome = await worker.run(argv);
            const record: FuzzInput = { label: argv.slice(0, 2).join(" "), argv, files: written, dir };
            const ok = log.check(record, outcome, { codes: codesFor(argv), files: [...argv, ...Object.keys(written).map((name) => path.join(dir, name))], roots: [sandbox.root, path.join(REPO, "test/fixtures"), path.join(REPO, "playbooks")], cwd, extraVars: true, outputs: true });
            return ok || !STRICT;
          },
        ),
        { numRuns: RUNS, seed: seedOf("argv"), endOnFailure: true },
      );
      log.assertNone(0);
    },
    testTimeout(RUNS),
  );
});
