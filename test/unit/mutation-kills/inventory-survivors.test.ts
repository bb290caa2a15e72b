import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FleetError, InputFileError, type SourceLocation } from "../../../src/errors.js";
import { InventoryBuilder } from "../../../src/inventory/builder.js";
import { expandHostRanges, HostRangeError } from "../../../src/inventory/host-pattern.js";
import { readIniInventory } from "../../../src/inventory/ini-inventory.js";
import { loadInventory } from "../../../src/inventory/load.js";
import { selectHosts, splitPattern } from "../../../src/inventory/select.js";
import type { Inventory } from "../../../src/inventory/types.js";
import { caughtFleetError } from "../../support/caught.js";

/**
 * Survivors of the mutation run (test/mutation/) in src/inventory: host selection, variable
 * precedence, host ranges and INI inventories. Mutants no test can tell apart are listed in
 * test/mutation/equivalent-mutants.md instead. Where a comment says "Ansible", the expected value
 * is what ansible-inventory / ansible --list-hosts (core 2.14) gives for the same input.
 */

function writeTemp(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "fleet-inventory-survivors-")), name);
  writeFileSync(file, text);
  return file;
}

async function loadIni(text: string): Promise<Inventory> {
  return loadInventory([writeTemp("hosts.ini", text)]);
}

interface Reported {
  code: string;
  message: string;
  hint: string | undefined;
  line: number | undefined;
}

/** The problems loadInventory reports for an INI file, with their line. */
async function iniProblems(text: string): Promise<Reported[]> {
  const error: unknown = await loadIni(text).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof InputFileError)) throw new Error(`expected an InputFileError, got ${String(error)}`);
  return error.problems.map((problem) => ({ code: problem.code, message: problem.message, hint: problem.hint, line: problem.location?.line }));
}

const hostNames = (inventory: Inventory, group: string): string[] => inventory.groups.get(group)?.hosts ?? [];

function rangeError(pattern: string): HostRangeError {
  try {
    expandHostRanges(pattern);
  } catch (error) {
    if (error instanceof HostRangeError) return error;
    throw error;
  }
  throw new Error(`${pattern} expanded without an error`);
}

describe("expandHostRanges: how many hosts a range gives, before any is made", () => {
  it("a range past 10^15 hosts is reported as more than 10^15, not as an inexact count", () => {
    expect(rangeError("h[0:9999999999999999]").message).toBe(
      'host range "h[0:9999999999999999]" expands to more than 10^15 hosts; fleet expands at most 100,000 from one entry',
    );
  });

  it("a letter range counts end - start + 1 letters", () => {
    // [b:c] is 2 letters: 2 × 100,000 names
    expect(rangeError("h[b:c][0:99999]").message).toBe('host range "h[b:c][0:99999]" expands to 200,000 hosts; fleet expands at most 100,000 from one entry');
  });

  it("a letter range with a step counts every STEP-th letter", () => {
    expect(expandHostRanges("h[a:Z:50]")).toEqual(["ha", "hY"]);
    expect(rangeError("h[a:Z:50][0:99999]").message).toBe('host range "h[a:Z:50][0:99999]" expands to 200,000 hosts; fleet expands at most 100,000 from one entry');
  });
});

describe("expandHostRanges: malformed ranges are refused with what is wrong", () => {
  it.each([
    ["a ] before the [", "h]x[1:2]"],
    ["no closing ]", "h[1:2"],
    // Ansible: "too many values to unpack" (it splits on |)
    ["a | in the entry", "h[1:2]|x"],
  ])("unbalanced brackets: %s", (_name, pattern) => {
    expect(rangeError(pattern).message).toBe(`unbalanced brackets in host range "${pattern}"`);
  });

  it("a range without a colon must be [START:END] or [START:END:STEP]", () => {
    expect(rangeError("h[1]").message).toBe('host range [1] in "h[1]" must be [START:END] or [START:END:STEP]');
  });

  it("a range without an end says so", () => {
    expect(rangeError("h[1:]").message).toBe('host range [1:] in "h[1:]" has no end');
  });

  it("a step with trailing junk is an invalid step, not a crash", () => {
    expect(rangeError("h[1:3:2x]").message).toBe('host range [1:3:2x] in "h[1:3:2x]" has an invalid step "2x" (a positive integer is needed)');
  });

  it.each([
    ["a two-letter start", "h[ab:c]"],
    ["a number start with a letter end", "h[10:c]"],
    ["a one-digit start with a letter end", "h[1:c]"],
    ["a two-letter end", "h[a:bc]"],
    ["a letter before the start's digits", "h[x1:5]"],
    ["a letter after the start's digits", "h[1x:5]"],
    ["a letter before the end's digits", "h[1:x5]"],
    ["a letter after the end's digits", "h[1:5x]"],
  ])("%s is neither a letter nor a number range", (_name, pattern) => {
    const body = pattern.slice(pattern.indexOf("[") + 1, pattern.indexOf("]"));
    expect(rangeError(pattern).message).toBe(`host range [${body}] in "${pattern}" mixes letters and numbers or is not a range`);
  });

  it("a letter range whose start is after its end is refused", () => {
    expect(rangeError("h[c:a]").message).toBe('host range [c:a] in "h[c:a]": start c is after end a');
  });
});

describe("selectHosts: patterns against an inventory where a host and a group share a name", () => {
  // Ansible warns "Found both group and host with same name: db" and keeps both.
  const text = "db\nloner\n\u{1D49C}x\n[db]\nd1\nd2\n[web]\nw1\n[empty]\n[big]\nb[0:11]\n";
  let inventory: Inventory;
  beforeAll(async () => {
    inventory = await loadIni(text);
  });
  const select = (pattern?: string, limit?: string): string[] => selectHosts(inventory, pattern, limit).map((host) => host.name);
  const selectionError = (pattern: string | undefined, limit?: string): FleetError => caughtFleetError(() => selectHosts(inventory, pattern, limit));

  it("a term naming a host is that host, not the group of the same name (Ansible: db)", () => {
    expect(select("db")).toEqual(["db"]);
    expect(select("web:db")).toEqual(["w1", "db"]);
  });

  it("!NAME and &NAME take the group, not the host of the same name (Ansible)", () => {
    expect(select("all:!db")).toEqual(["db", "loner", "\u{1D49C}x", "w1", ...Array.from({ length: 12 }, (_, index) => `b${index}`)]);
    expect(select("all:&db")).toEqual(["d1", "d2"]);
  });

  it("a regular expression matches host names as well as groups (Ansible: d1, d2, db)", () => {
    expect(select("~d")).toEqual(["d1", "d2", "db"]);
  });

  it("a regular expression ending in [1-3] is a character set, not a subscript (Ansible: b1 b2 b3 b10 b11)", () => {
    expect(select("~b[1-3]")).toEqual(["b1", "b2", "b3", "b10", "b11"]);
  });

  it("a regular expression is read with Unicode semantics: . is one code point (Ansible matches 𝒜x)", () => {
    expect(select("~.x")).toEqual(["\u{1D49C}x"]);
  });

  it("an invalid regular expression is a pattern error naming the pattern", () => {
    const error = selectionError("~(");
    expect(error.code).toBe("INVENTORY_PATTERN");
    expect(error.message).toMatch(/^invalid regular expression in pattern "~\(": ./);
  });

  it("subscripts: [i] one host, [i:0] one host too, [i:j] with two-digit bounds (Ansible)", () => {
    expect(select("db[0]")).toEqual(["d1"]);
    expect(select("big[1:0]")).toEqual(["b1"]);
    expect(select("big[10:11]")).toEqual(["b10", "b11"]);
    expect(select("big[-1]")).toEqual(["b11"]);
  });

  it("a subscript of a group without hosts selects nothing from it, without an index error (Ansible: w1)", () => {
    expect(select("empty[0],w1")).toEqual(["w1"]);
  });

  it("an index past the matching hosts is an error that says subscripts count from 0", () => {
    const error = selectionError("web[5]");
    expect(error.message).toBe('"web[5]": index 5 is outside the 1 matching hosts');
    expect(error.hint).toBe("subscripts count from 0");
  });

  it("a subscript is only read at the very end of the term, and within one line", () => {
    expect(selectionError("web[0]x").message).toBe('"web[0]x" matches no group or host');
    expect(selectionError("w1,x\nweb[0]").message).toBe('"x\nweb[0]" matches no group or host');
  });

  it("a term matching nothing suggests the closest names, or the default hint when none is close", () => {
    expect(selectionError("d3").hint).toBe('did you mean "b3", "d1", "d2"?');
    expect(selectionError("zzzzzzzzzzzz").hint).toBe("run `fleet inventory --graph` to see the groups and hosts");
  });

  it("empty terms between commas are dropped (Ansible: db, w1)", () => {
    expect(splitPattern("db,,web")).toEqual(["db", "web"]);
    expect(select("db,,web")).toEqual(["db", "w1"]);
  });

  it("a pattern of separators only has no terms, and selects all hosts (Ansible)", () => {
    expect(splitPattern(":")).toEqual([]);
    expect(select(":")).toHaveLength(18);
  });

  it("@FILE terms are trimmed, blank lines and CRLF endings are ignored", () => {
    const file = writeTemp("limit.txt", "  db  \r\n\n w1\r\n");
    expect(select(`@${file}`)).toEqual(["db", "w1"]);
    expect(select("all", `@${file}`)).toEqual(["db", "w1"]);
  });

  it("an unreadable @FILE names the file", () => {
    const missing = join(mkdtempSync(join(tmpdir(), "fleet-inventory-survivors-")), "absent.txt");
    const error = selectionError(`@${missing}`);
    expect(error.code).toBe("INVENTORY_LIMIT_FILE");
    expect(error.message).toMatch(new RegExp(`^cannot read pattern file ${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ENOENT`));
  });

  it("a pattern whose parts cancel out names the pattern and says the parts leave no host", () => {
    const error = selectionError("web:!web");
    expect(error.message).toBe('pattern "web:!web" selects no host');
    expect(error.hint).toBe("each part matches something, but together (& and !) they leave no host; run `fleet inventory --graph` to see the groups");
    expect(selectionError("web", "db").message).toBe('pattern "web" with limit "db" selects no host');
  });
});

describe("selectHosts on an inventory without hosts", () => {
  it("says the inventory has no hosts, naming the default pattern all", async () => {
    const inventory = await loadIni("[web]\n");
    const error = caughtFleetError(() => selectHosts(inventory));
    expect(error.message).toBe('pattern "all" selects no host');
    expect(error.hint).toBe("the inventory has no hosts");
    expect(caughtFleetError(() => selectHosts(inventory, undefined, "all")).message).toBe('pattern "all" with limit "all" selects no host');
  });
});

describe("variable precedence: hosts with different groups never share merged layers", () => {
  it("groups ab+c and a+bc are told apart (Ansible: h1 x=c, h2 x=bc)", async () => {
    const inventory = await loadIni("[ab]\nh1\n[c]\nh1\n[a]\nh2\n[bc]\nh2\n[a:vars]\nx=a\n[ab:vars]\nx=ab\n[bc:vars]\nx=bc\n[c:vars]\nx=c\n");
    expect(inventory.hosts.get("h1")?.groups).toEqual(["all", "ab", "c"]);
    expect(inventory.hosts.get("h1")?.vars).toEqual({ x: "c" });
    expect(inventory.hosts.get("h2")?.groups).toEqual(["all", "a", "bc"]);
    expect(inventory.hosts.get("h2")?.vars).toEqual({ x: "bc" });
  });

  it("sibling groups merge in name order, whatever their declaration order (Ansible: ac wins over ab)", async () => {
    const inventory = await loadIni("[ac]\nh1\n[ab]\nh1\n[ac:vars]\nx=ac\n[ab:vars]\nx=ab\n");
    expect(inventory.hosts.get("h1")?.groups).toEqual(["all", "ab", "ac"]);
    expect(inventory.hosts.get("h1")?.vars).toEqual({ x: "ac" });
  });

  it("a host overriding a connection variable does not move the origin of another host of the same groups", async () => {
    const file = writeTemp("hosts.ini", "[g]\nh1 ansible_port=2201\nh2\n[g:vars]\nansible_port=2200\n");
    const inventory = await loadInventory([file]);
    expect(inventory.hosts.get("h1")?.vars["ansible_port"]).toBe(2201);
    expect(inventory.hosts.get("h1")?.varOrigins?.["ansible_port"]).toEqual({ file, line: 2, column: 1 });
    expect(inventory.hosts.get("h2")?.vars["ansible_port"]).toBe(2200);
    expect(inventory.hosts.get("h2")?.varOrigins?.["ansible_port"]).toEqual({ file, line: 5, column: 1 });
  });
});

describe("INI inventory: sections", () => {
  it("a [GROUP:vars] section for a group never declared is reported at its line (Ansible: not valid for undefined group)", async () => {
    expect(await iniProblems("[web]\nw1\n[g:vars]\nx=1\n")).toEqual([
      { code: "INVENTORY_UNDEFINED_GROUP", message: 'section [g:vars] is for group "g", which is never declared', hint: expect.any(String), line: 3 },
    ]);
  });

  it("a [GROUP:vars] section does not declare a group only named in a :children list", async () => {
    expect(await iniProblems("[p:children]\ng\n[g:vars]\nx=1\n")).toEqual([
      { code: "INVENTORY_UNDEFINED_GROUP", message: '[p:children] names group "g", which is never declared', hint: expect.any(String), line: 2 },
    ]);
  });

  it("a [GROUP:vars] section before the group's declaration is fine, and its vars apply", async () => {
    const inventory = await loadIni("[g:vars]\nx=1\n[g]\nh1\n");
    expect(inventory.hosts.get("h1")?.vars).toEqual({ x: 1 });
  });

  it("a comment after a section header is allowed (Ansible)", async () => {
    const inventory = await loadIni("[web]   # the web servers\nw1\n");
    expect(hostNames(inventory, "web")).toEqual(["w1"]);
  });

  it("a section header with more text before its last ] is an invalid header, and its lines are skipped", async () => {
    expect(await iniProblems("[web] x]\nw1\n")).toEqual([
      {
        code: "INVENTORY_INI_SYNTAX",
        message: "invalid section header [web] x]",
        hint: "section headers are [GROUP], [GROUP:vars] or [GROUP:children], without spaces or other characters",
        line: 1,
      },
    ]);
  });

  it("a line starting with [ but not ending with ] is a host line, refused as a bad range (Ansible: host range must be begin:end)", async () => {
    expect(await iniProblems("[web]x\nw1\n")).toEqual([
      { code: "INVENTORY_RANGE", message: 'host range [web] in "[web]x" must be [START:END] or [START:END:STEP]', hint: expect.any(String), line: 1 },
    ]);
  });

  it("a comment line under [GROUP:vars] is skipped, not read as a variable", async () => {
    const inventory = await loadIni("[g]\nh1\n[g:vars]\n# the group's settings\nx=1\n");
    expect(inventory.hosts.get("h1")?.vars).toEqual({ x: 1 });
  });

  it("a vertical tab ends a line, as in Python's splitlines, and V is an ordinary letter (Ansible: hostV1, h2)", async () => {
    const inventory = await loadIni("hostV1\vh2\n");
    expect(hostNames(inventory, "ungrouped")).toEqual(["hostV1", "h2"]);
  });
});

describe("INI inventory: :children lines", () => {
  it("a child named with a trailing comment is that group (Ansible)", async () => {
    const inventory = await loadIni("[p:children]\nc   # the c group\n[c]\nh1\n");
    expect(inventory.groups.get("p")?.children).toEqual(["c"]);
    expect(inventory.hosts.get("h1")?.groups).toEqual(["all", "p", "c"]);
  });

  it.each([
    ["two words", "bad name"],
    ["a colon", "x:y"],
  ])("a child line with %s is reported as not a group name (Ansible: Expected group name)", async (_name, line) => {
    expect(await iniProblems(`[p:children]\n${line}\n`)).toEqual([
      { code: "INVENTORY_INI_SYNTAX", message: `expected a group name in [p:children], got "${line}"`, hint: expect.any(String), line: 2 },
    ]);
  });
});

describe("INI inventory: host lines", () => {
  it('a host named "---" even with spaces is refused as a sign of YAML (Ansible)', async () => {
    expect(await iniProblems('"--- "\n')).toEqual([
      { code: "INVENTORY_INI_SYNTAX", message: 'invalid host "---"', hint: "'---' starts a YAML document; give a YAML inventory a .yml extension", line: 1 },
    ]);
  });

  it('an assignment with nothing before = sets the variable "" (Ansible)', async () => {
    const inventory = await loadIni("h1 =x a=1\n[g]\nh2\n[g:vars]\n=y\n");
    expect(inventory.hosts.get("h1")?.vars).toEqual({ "": "x", a: 1 });
    expect(inventory.hosts.get("h2")?.vars).toEqual({ "": "y" });
  });

  it("hosts the builder does not admit (the inventory would grow too large) are left out", () => {
    class FullBuilder extends InventoryBuilder {
      readonly refused: string[] = [];
      override admitHosts(names: readonly string[], _at: SourceLocation | undefined): boolean {
        this.refused.push(...names);
        return false;
      }
    }
    const builder = new FullBuilder();
    readIniInventory(builder, "hosts.ini", "[web]\nw[1:3] role=web\n");
    expect(builder.refused).toEqual(["w1", "w2", "w3"]);
    expect([...builder.hosts.keys()]).toEqual([]);
    expect(builder.groups.get("web")?.hosts).toEqual([]);
  });
});
