/**
 * Inventories found by the fuzz suite (test/reliability/fuzz) to hang, exhaust memory or end in a
 * stack trace, each reduced to its input: every one now ends, quickly, in a result or a located
 * input error.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { FleetError, InputFileError } from "../../../src/errors.js";
import { InventoryBuilder, MAX_INVENTORY_HOSTS } from "../../../src/inventory/builder.js";
import { globToRegExp } from "../../../src/inventory/fnmatch.js";
import { expandHostRanges, HostRangeError, MAX_HOSTS_PER_ENTRY } from "../../../src/inventory/host-pattern.js";
import { loadInventory } from "../../../src/inventory/load.js";
import { literalEval } from "../../../src/inventory/python-literal.js";
import { inventoryGraph } from "../../../src/inventory/render.js";
import { selectHosts } from "../../../src/inventory/select.js";

const dir = mkdtempSync(path.join(tmpdir(), "fleet-hostile-inventory-"));
let files = 0;

function write(name: string, text: string): string {
  const file = path.join(dir, `${++files}-${name}`);
  writeFileSync(file, text);
  return file;
}

/** The problems of loading the file, as `line:column CODE message`, and how long loading took. */
async function problems(file: string): Promise<{ lines: string[]; ms: number }> {
  const begun = Date.now();
  const error: unknown = await loadInventory([file]).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  const ms = Date.now() - begun;
  if (error === undefined) return { lines: [], ms };
  if (!(error instanceof InputFileError)) throw error;
  return { lines: error.problems.map((problem) => `${problem.location?.line}:${problem.location?.column} ${problem.code} ${problem.message}`), ms };
}

const ladder = (indent: string, depth = 5): string =>
  [`${indent}a: &a ["x","x","x","x","x","x","x","x","x","x"]`, ...Array.from({ length: depth - 1 }, (_, level) => `${indent}${"bcdefghij"[level]}: &${"bcdefghij"[level]} [${Array(10).fill(`*${"abcdefghij"[level]}`).join(",")}]`)].join("\n");

describe("host ranges that expand to too many hosts", () => {
  test("web[0:99999999] is refused at once (it was expanded for minutes, then ran out of memory)", async () => {
    const { lines, ms } = await problems(write("range.yml", "all:\n  hosts:\n    web[0:99999999]:\n"));
    expect(lines).toEqual(['3:5 INVENTORY_RANGE host range "web[0:99999999]" expands to 100,000,000 hosts; fleet expands at most 100,000 from one entry']);
    expect(ms).toBeLessThan(2_000);
  });

  test("in INI too, and the product of several ranges counts", async () => {
    expect((await problems(write("range.ini", "[web]\nweb[0:99999999]\n"))).lines).toEqual([expect.stringMatching(/^2:1 INVENTORY_RANGE host range "web\[0:99999999\]" expands to 100,000,000 hosts/)]);
    expect(() => expandHostRanges("h[0:999]-[0:999]")).toThrow(/expands to 1,000,000 hosts/);
    expect(expandHostRanges("h[1:100000]")).toHaveLength(MAX_HOSTS_PER_ENTRY);
  });

  test("numbers past 2^53 count exactly (h[99999999999999999999:99999999999999999999] looped for ever: +1 did not change the number)", () => {
    expect(expandHostRanges("h[99999999999999999999:99999999999999999999]")).toEqual(["h99999999999999999999"]);
    expect(expandHostRanges("h[18446744073709551615:18446744073709551617]")).toEqual(["h18446744073709551615", "h18446744073709551616", "h18446744073709551617"]);
    expect(() => expandHostRanges("h[0:99999999999999999999]")).toThrow(HostRangeError);
    expect(expandHostRanges("h[0:9:99999999999999999999]")).toEqual(["h0"]);
  });

  test("an inventory stops growing at MAX_INVENTORY_HOSTS, with one located problem", () => {
    const builder = new InventoryBuilder();
    const host = { name: "", vars: {}, varOrigins: undefined, groups: [] };
    for (let index = 0; index < MAX_INVENTORY_HOSTS; index++) builder.hosts.set(`h${index}`, host);
    expect(builder.admitHosts(["h1", "h2"], { file: "f.ini", line: 1 })).toBe(true);
    expect(builder.admitHosts(["new1"], { file: "f.ini", line: 7 })).toBe(false);
    expect(builder.admitHosts(["new2"], { file: "f.ini", line: 8 })).toBe(false);
    expect(builder.problems.map((problem) => [problem.code, problem.location?.line])).toEqual([["INVENTORY_RANGE", 7]]);
  });
});

describe("YAML alias bombs", () => {
  test("plugin: *bomb (a ReferenceError and a stack trace, exit 1)", async () => {
    expect((await problems(write("plugin.yml", `x:\n  vars:\n${ladder("    ")}\nplugin: *e\n`))).lines).toEqual(["8:1 INVENTORY_UNSUPPORTED inventory plugin configuration files (plugin: a list) are not supported"]);
  });

  // (the group variable the bomb is defined in, line 7, is a problem of its own)
  test("a host's variables that are a bomb (ReferenceError, exit 1)", async () => {
    expect((await problems(write("host.yml", `x:\n  vars:\n${ladder("    ")}\nall:\n  hosts:\n    h1: *e\n`))).lines).toEqual([
      "7:11 INVENTORY_YAML_SYNTAX YAML aliases in this value expand too far (past the limit that guards against alias bombs)",
      '7:11 INVENTORY_HOST_VARS_NOT_MAPPING variables of host "h1" must be a mapping, found a list',
    ]);
  });

  test("a mapping key that is a bomb (ReferenceError, exit 1)", async () => {
    expect((await problems(write("key.yml", `x:\n  vars:\n${ladder("    ")}\nall:\n  vars:\n    ? *e\n    : 1\n`))).lines).toEqual(Array(2).fill("7:11 INVENTORY_YAML_SYNTAX YAML aliases in this value expand too far (past the limit that guards against alias bombs)"));
  });

  test("group definitions that name each other twice, 40 levels (2^40 groups read: it never ended)", async () => {
    const lines = ["g0: &g0 {hosts: {h0: }}", ...Array.from({ length: 39 }, (_, index) => `g${index + 1}: &g${index + 1} {children: {g${index}: *g${index}, x${index}: *g${index}}}`)];
    const { lines: found, ms } = await problems(write("groups.yml", `${lines.join("\n")}\n`));
    expect(found).toEqual([expect.stringMatching(/^\d+:\d+ INVENTORY_YAML_SYNTAX YAML aliases make this inventory expand too far: more than 1,000,000 groups, hosts and variables read through aliases/)]);
    expect(ms).toBeLessThan(10_000);
  });

  test("a group with a large variable, read 2^24 times through aliases (the value was converted on every read: 38 s)", async () => {
    const lines = ["x:", "  vars:", `    a: &a [${Array(30).fill('"lol"').join(",")}]`, `    b: &b [${Array(30).fill("*a").join(",")}]`, "g0: &g0 {vars: {big: *b}, hosts: {h0: }}"];
    for (let level = 1; level < 25; level++) lines.push(`g${level}: &g${level} {children: {g${level - 1}: *g${level - 1}, x${level - 1}: *g${level - 1}}}`);
    const { lines: found, ms } = await problems(write("big-var-groups.yml", `${lines.join("\n")}\n`));
    expect(found).toEqual([expect.stringMatching(/INVENTORY_YAML_SYNTAX YAML aliases make this inventory expand too far/)]);
    expect(ms).toBeLessThan(5_000);
  });

  test("merge keys that merge one mapping twice, 40 levels (2^40 merges: it never ended)", async () => {
    const merges = ["    m0: &m0 {a: 1}", ...Array.from({ length: 39 }, (_, index) => `    m${index + 1}: &m${index + 1} {<<: [*m${index}, *m${index}]}`)];
    const { ms } = await problems(write("merges.yml", `x:\n  vars:\n${merges.join("\n")}\nall:\n  vars:\n    <<: *m39\n  hosts:\n    h1: {<<: *m39}\n`));
    expect(ms).toBeLessThan(5_000);
  });
});

describe("deep nesting", () => {
  const chain = (depth: number, childrenFirst: boolean): string => {
    const links = Array.from({ length: depth }, (_, level) => `[g${level}:children]\ng${level + 1}`);
    return childrenFirst ? `[g${depth}]\nh1\n${links.reverse().join("\n")}\n` : `${links.join("\n")}\n[g${depth}]\nh1\n`;
  };

  test("an INI chain of 20,000 groups, parents first (RangeError: Maximum call stack size exceeded, exit 1)", async () => {
    const { lines, ms } = await problems(write("chain.ini", chain(20_000, false)));
    expect(lines).toEqual([expect.stringMatching(/^200:1 INVENTORY_STRUCTURE groups are nested 20001 levels deep \(all → g0 → g1 → g2 → \.\.\. 19994 more \.\.\. → g19997 → g19998 → g19999 → g20000\), deeper than the 100 levels fleet reads$/)]);
    expect(ms).toBeLessThan(5_000);
  });

  test("the same chain, children first (every link searched the whole chain below it: 98 s)", async () => {
    const { lines, ms } = await problems(write("chain-reversed.ini", chain(20_000, true)));
    expect(lines).toEqual([expect.stringMatching(/INVENTORY_STRUCTURE groups are nested 20001 levels deep/)]);
    expect(ms).toBeLessThan(5_000);
  });

  test("100 levels are read", async () => {
    expect((await problems(write("chain-100.ini", chain(99, false)))).lines).toEqual([]);
  });

  test("a cycle is still named in full", async () => {
    expect((await problems(write("cycle.ini", "[a:children]\nb\n[b:children]\nc\n[c:children]\na\n"))).lines).toEqual(["6:1 INVENTORY_CYCLE group cycle: c → a → b → c"]);
  });

  test("an INI value nested 100,000 brackets deep is text, as Ansible keeps it (RangeError, exit 1)", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(literalEval(deep)).toBeUndefined();
    // Python's tokenizer takes 200 open brackets and refuses the 201st ("too many nested parentheses")
    expect(literalEval(`${"[".repeat(200)}${"]".repeat(200)}`)).toEqual(expect.any(Array));
    expect(literalEval(`${"(".repeat(201)}1${")".repeat(201)}`)).toBeUndefined();
  });

  test("YAML nested beyond the parser's stack is a syntax error that says so", async () => {
    const { lines } = await problems(write("deep.yml", `all:\n  hosts:\n    h1:\n      v: ${"[".repeat(5_000)}${"]".repeat(5_000)}\n`));
    expect(lines).toEqual([expect.stringMatching(/^4:\d+ INVENTORY_YAML_SYNTAX YAML nested too deeply/)]);
  });

  test("--graph of groups sharing children level after level (2^45 lines) prints each group once", async () => {
    const levels = Array.from({ length: 45 }, (_, level) => `[a${level}:children]\nb${level}\nc${level}\n[b${level}:children]\na${level + 1}\n[c${level}:children]\na${level + 1}`);
    const inventory = await loadInventory([write("diamonds.ini", `${levels.join("\n")}\n[a45]\nh1\n`)]);
    const graph = inventoryGraph(inventory);
    expect(graph.split("\n").length).toBeLessThan(1_000);
    expect(graph).toContain("--@a1: (shown above)");
    // a graph of normal size is printed as ansible-inventory prints it
    const small = await loadInventory([write("diamond.ini", "[a:children]\nb\nc\n[b:children]\nd\n[c:children]\nd\n[d]\nh1\n")]);
    expect(inventoryGraph(small)).toBe(["@all:", "  |--@ungrouped:", "  |--@a:", "  |  |--@b:", "  |  |  |--@d:", "  |  |  |  |--h1", "  |  |--@c:", "  |  |  |--@d:", "  |  |  |  |--h1"].join("\n"));
  });
});

test("every problem above is a FleetError with a hint", async () => {
  const error: unknown = await loadInventory([write("all.yml", "all:\n  hosts:\n    web[0:99999999]:\n")]).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(FleetError);
  expect((error as FleetError).hint).toMatch(/range/);
});

describe("glob patterns (-l, hosts:, waivers) against long names", () => {
  test("-l '*a*a*a*a*a*a*a*a*a*a*a*b' against a host of 44 a's (catastrophic backtracking: it never ended)", async () => {
    const inventory = await loadInventory([write("long.yml", `all:\n  hosts:\n    ${"a".repeat(44)}:\n`)]);
    const begun = Date.now();
    expect(() => selectHosts(inventory, undefined, "*a*a*a*a*a*a*a*a*a*a*a*b")).toThrow(/matches no group or host/);
    expect(selectHosts(inventory, undefined, "*a*a*a*a*a*a*a*a*a*a*a*a").map((host) => host.name)).toEqual(["a".repeat(44)]);
    expect(Date.now() - begun).toBeLessThan(1_000);
  });

  test("property: the same matches as the plain translation (every star a backtracking .*)", () => {
    const plain = (pattern: string): RegExp => {
      let source = "";
      for (const piece of pattern.match(/\*+|\[!?[^\]]*\]|./gu) ?? []) {
        if (piece.startsWith("*")) source += ".*";
        else if (piece === "?") source += ".";
        else if (piece.startsWith("[")) source += piece.startsWith("[!") ? `[^${piece.slice(2)}` : piece;
        else source += piece.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      }
      return new RegExp(`^(?:${source})$`, "su");
    };
    const pattern = fc.array(fc.constantFrom("a", "b", "ab", "*", "**", "?", "[ab]", "[!a]", "."), { maxLength: 8 }).map((parts) => parts.join(""));
    const name = fc.string({ unit: fc.constantFrom("a", "b", "."), maxLength: 12 });
    fc.assert(
      fc.property(pattern, name, (glob, text) => {
        expect(globToRegExp(glob).test(text)).toBe(plain(glob).test(text));
      }),
      { numRuns: 5_000, seed: 20261203 },
    );
  });
});

describe("reversed ranges in a glob's character set ([z-a]: it was an internal error, a RegExp SyntaxError)", () => {
  // what Python's fnmatch.translate, which Ansible uses, makes of them: a reversed range matches nothing
  test.each([
    ["tb[z-a]", "tb1", false],
    ["tb[z-a]", "tbz", false],
    ["tb[!z-a]", "tbz", true],
    ["[a-cz-bx]", "x", true],
    ["[a-cz-bx]", "b", true],
    ["[a-cz-bx]", "y", false],
    ["[a-a]", "a", true],
  ])("%s against %s: %s", (glob, name, matches) => {
    expect(globToRegExp(glob).test(name)).toBe(matches);
  });

  test("-l with a reversed range selects nothing, with the usual error", async () => {
    const inventory = await loadInventory([write("reversed.yml", "all:\n  hosts:\n    tb1:\n    tbz:\n")]);
    expect(() => selectHosts(inventory, undefined, "tb[z-a]")).toThrow(FleetError);
    expect(selectHosts(inventory, undefined, "tb[!z-a]").map((host) => host.name)).toEqual(["tb1", "tbz"]);
  });
});

describe("large groups: one push per element, never an argument list", () => {
  test("-l over a group of 100,000 hosts (RangeError: Maximum call stack size exceeded, exit 1)", async () => {
    const inventory = await loadInventory([write("big-group.yml", 'all:\n  children:\n    web:\n      hosts:\n        "h0-[1:100000]":\n')]);
    expect(selectHosts(inventory, undefined, "web")).toHaveLength(100_000);
    expect(() => selectHosts(inventory, undefined, " ")).not.toThrow(RangeError);
  });

  test("a group of 60,000 children, and a group with 60,000 parents (each link looked through the parents: 26 s at 150,000)", async () => {
    const children = Array.from({ length: 60_000 }, (_, index) => `g${index}`);
    const begun = Date.now();
    const inventory = await loadInventory([write("wide.ini", `[big:children]\n${children.join("\n")}\n${children.map((name) => `[${name}:children]\ncommon`).join("\n")}\n[common]\nh1\n`)]);
    expect(selectHosts(inventory, "big").map((host) => host.name)).toEqual(["h1"]);
    expect(inventory.hosts.get("h1")?.groups).toHaveLength(60_003);
    expect(Date.now() - begun).toBeLessThan(4_000);
  }, 20_000);
});
