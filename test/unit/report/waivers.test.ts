import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import { formatLocation, InputFileError } from "../../../src/errors.js";
import { score } from "../../../src/report/build.js";
import type { FleetReport } from "../../../src/report/types.js";
import { applyWaivers, isExpired, loadWaivers, parseWaivers, waiverEnd, type Waiver } from "../../../src/report/waivers.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const fixtures = join(import.meta.dirname, "../../fixtures/waivers");
const repo = join(import.meta.dirname, "../../..");

async function problemsOf(file: string): Promise<Array<{ at: string; code: string; message: string; hint: string | undefined }>> {
  const error: unknown = await loadWaivers(file, { cwd: fixtures }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof InputFileError)) throw new Error(`expected an InputFileError for ${file}, got ${String(error)}`);
  expect(error.category).toBe("parse");
  return error.problems.map((problem) => ({ at: problem.location ? formatLocation(problem.location) : "", code: problem.code, message: problem.message, hint: problem.hint }));
}

const waiver = (fields: Partial<Waiver> & Pick<Waiver, "control">): Waiver => ({ hosts: "all", justification: "accepted", expires: null, rule: null, ...fields });

/**
 * Hosts tb1, tb2 (group standalone), tbc1, tbc2 (group lxd, cluster cluster1), web1 (groups web,
 * lxd); controls C-0..C-2, every result as given (default fail).
 */
function fleet(statuses: ControlStatus[][] = [], width = 3): FleetReport {
  const names = ["tb1", "tb2", "tbc1", "tbc2", "web1"];
  const rows = names.map((_, index) => statuses[index] ?? Array.from({ length: width }, (): ControlStatus => "fail"));
  const report = syntheticReport(rows, [null, null, "cluster1", "cluster1", null]);
  const groups = [["standalone"], ["standalone"], ["lxd"], ["lxd"], ["web", "lxd"]];
  report.hosts.forEach((host, index) => {
    host.name = names[index] ?? host.name;
    host.groups = groups[index] ?? [];
  });
  return report;
}

const statusOf = (report: FleetReport, host: string, control: string): ControlStatus | undefined => report.hosts.find((entry) => entry.name === host)?.controls.find((result) => result.id === control)?.status;
const waivedCells = (report: FleetReport): string[] => report.hosts.flatMap((host) => host.controls.filter((result) => result.status === "waived").map((result) => `${host.name}/${result.id}`));
const now = new Date("2026-12-02T12:00:00Z");

describe("loading a waivers file", () => {
  it("reads a list with every key, hosts as a pattern or a list, dates quoted or not", async () => {
    const waivers = await loadWaivers("valid.yml", { cwd: fixtures });
    expect(waivers).toEqual([
      { control: "LXD-NET-02", hosts: "tb1", justification: "The API must listen on all interfaces until the management VLAN exists (CHG-1234).", expires: "2027-03-31", rule: null, location: { file: "valid.yml", line: 2, column: 3 } },
      { control: "LXD-DEV-*", hosts: "cluster1,!tbc2", justification: "GPU passthrough is needed by the ML workloads.\nApproved by the security board on 2026-11-02.", expires: null, rule: "internal-exception-17", location: { file: "valid.yml", line: 6, column: 3 } },
      { control: "LXD-LOG-03", hosts: "standalone,tbc1", justification: "Loki is not deployed yet", expires: "2026-12-31", rule: null, location: { file: "valid.yml", line: 12, column: 3 } },
    ]);
  });

  it("reads the mapping form `waivers: [...]`, and an empty file as no waivers", async () => {
    expect(await loadWaivers("mapping.yml", { cwd: fixtures })).toMatchObject([{ control: "LXD-MU-01", hosts: "all", justification: "Single-user hosts.", expires: null }]);
    expect(await loadWaivers("empty.yml", { cwd: fixtures })).toEqual([]);
    expect(parseWaivers("waivers: []\n", "w.yml")).toEqual([]);
    expect(parseWaivers("waivers:\n", "w.yml")).toEqual([]);
  });

  it("ships playbooks/usg-waivers.yml: the guide's three USG rules as waivers of LXD-HOST-02", async () => {
    const waivers = await loadWaivers("playbooks/usg-waivers.yml", { cwd: repo });
    expect(waivers.map((entry) => [entry.control, entry.hosts, entry.rule, entry.expires])).toEqual([
      ["LXD-HOST-02", "all", "xccdf_org.ssgproject.content_rule_grub2_uefi_password", null],
      ["LXD-HOST-02", "all", "xccdf_org.ssgproject.content_rule_no_files_unowned_by_user", null],
      ["LXD-HOST-02", "all", "xccdf_org.ssgproject.content_rule_file_permissions_ungroupowned", null],
    ]);
    for (const entry of waivers) expect(entry.justification.length).toBeGreaterThan(40);
    expect(waivers[0]?.justification).toMatch(/UEFI/);
    expect(waivers[1]?.justification).toMatch(/user namespace/);
  });

  it("the example of docs/reports.md loads", () => {
    const docs = readFileSync(join(repo, "docs/reports.md"), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(example).toBeDefined();
    expect(parseWaivers(example ?? "", "docs/reports.md").map((entry) => [entry.control, entry.hosts, entry.expires, entry.rule])).toEqual([
      ["LXD-NET-02", "tb1", "2027-03-31", null],
      ["LXD-DEV-*", "cluster1,!tbc2", null, "internal-exception-17"],
    ]);
  });

  it("a missing file is a located parse error", async () => {
    expect(await problemsOf("nope.yml")).toEqual([{ at: "nope.yml", code: "WAIVER_NOT_FOUND", message: "waivers file nope.yml not found", hint: expect.stringContaining("--waivers") }]);
  });

  it("an unknown key, with the closest name", async () => {
    expect(await problemsOf("unknown-key.yml")).toEqual([
      { at: "unknown-key.yml:1:3", code: "WAIVER_MISSING_KEY", message: "a waiver needs `justification`: why the failure is accepted", hint: expect.any(String) },
      { at: "unknown-key.yml:2:3", code: "WAIVER_UNKNOWN_KEY", message: "unknown key `justificaton` in a waiver", hint: "did you mean `justification`?" },
      { at: "unknown-key.yml:3:3", code: "WAIVER_UNKNOWN_KEY", message: "unknown key `host` in a waiver", hint: "did you mean `hosts`?" },
      { at: "unknown-key.yml:4:3", code: "WAIVER_UNKNOWN_KEY", message: "unknown key `owner` in a waiver", hint: "a waiver has the keys control, hosts, justification, expires, rule; see docs/reports.md" },
    ]);
  });

  it("a missing or blank justification, a missing control", async () => {
    expect((await problemsOf("missing-justification.yml")).map(({ at, code, message }) => ({ at, code, message }))).toEqual([
      { at: "missing-justification.yml:1:3", code: "WAIVER_MISSING_KEY", message: "a waiver needs `justification`: why the failure is accepted" },
      { at: "missing-justification.yml:4:18", code: "WAIVER_VALUE", message: "justification is empty" },
      { at: "missing-justification.yml:5:3", code: "WAIVER_MISSING_KEY", message: "a waiver needs `control`: the control id (or a glob of ids) it waives" },
    ]);
  });

  it("a date that is not YYYY-MM-DD or not a day of the calendar", async () => {
    const problems = await problemsOf("bad-date.yml");
    expect(problems.map(({ at, code, message }) => ({ at, code, message }))).toEqual([
      { at: "bad-date.yml:3:12", code: "WAIVER_DATE", message: 'expires: "31/12/2026" is not a date YYYY-MM-DD' },
      { at: "bad-date.yml:6:12", code: "WAIVER_DATE", message: 'expires: "2026-12-31T10:00:00Z" is not a date YYYY-MM-DD' },
      { at: "bad-date.yml:9:12", code: "WAIVER_DATE", message: "expires: 2027-02-29 is not a day of the calendar" },
      { at: "bad-date.yml:12:12", code: "WAIVER_DATE", message: 'expires: "2027" is not a date YYYY-MM-DD' },
    ]);
    for (const problem of problems) expect(problem.hint).toMatch(/YYYY-MM-DD .*end of that day, UTC/);
    // An unquoted impossible date is refused by the YAML reader itself, still as a date problem.
    expect(await problemsOf("invalid-calendar-date.yml")).toEqual([{ at: "invalid-calendar-date.yml:3:12", code: "WAIVER_DATE", message: "expires: invalid date 2026-02-30", hint: expect.stringMatching(/YYYY-MM-DD/) }]);
  });

  it("a control that is not an id (a glob of ids is fine)", async () => {
    expect((await problemsOf("bad-control.yml")).map(({ at, message }) => `${at} ${message}`)).toEqual([
      'bad-control.yml:1:12 control "LXD DEV 01" is not a control id (such as LXD-DEV-02) or a glob of ids (such as LXD-DEV-*)',
      "bad-control.yml:3:12 control must be a control id such as LXD-DEV-02, not the number 42",
      'bad-control.yml:5:12 control "-LXD-DEV-01" is not a control id (such as LXD-DEV-02) or a glob of ids (such as LXD-DEV-*)',
      "bad-control.yml:9:12 control must be a control id such as LXD-DEV-02, not a list",
    ]);
  });

  it("host patterns that cannot work on a report", async () => {
    expect((await problemsOf("bad-hosts.yml")).map(({ at, message }) => `${at} ${message}`)).toEqual([
      expect.stringMatching(/^bad-hosts\.yml:2:10 host pattern "~tb\(0": invalid regular expression: /),
      'bad-hosts.yml:5:10 host pattern "@hosts.txt": @FILE is not read for waivers: list the hosts or groups in the waiver',
      "bad-hosts.yml:8:10 hosts is empty: leave the key out to waive on every host",
      "bad-hosts.yml:11:10 hosts must be a host pattern or a list of them, not a mapping",
      'bad-hosts.yml:14:16 host pattern "tb[2": unbalanced brackets [ ]',
    ]);
  });

  it("the shape of the file: a single waiver without the list, a misspelt top key, YAML syntax, a key twice", async () => {
    expect(await problemsOf("single-mapping.yml")).toEqual([
      { at: "single-mapping.yml:1:1", code: "WAIVER_STRUCTURE", message: "a waivers file is a list of waivers; this file holds a single waiver without the list", hint: "write the waiver as an item of a list: `- control: ...`" },
    ]);
    expect(await problemsOf("wrong-top-key.yml")).toEqual([{ at: "wrong-top-key.yml:1:1", code: "WAIVER_STRUCTURE", message: "unknown key `waiver` at the top of a waivers file", hint: "did you mean `waivers`?" }]);
    expect(await problemsOf("syntax.yml")).toEqual([{ at: "syntax.yml:4:1", code: "WAIVER_YAML_SYNTAX", message: expect.stringMatching(/^YAML syntax error: /), hint: expect.any(String) }]);
    expect(await problemsOf("duplicate-key.yml")).toEqual([{ at: "duplicate-key.yml:3:3", code: "WAIVER_DUPLICATE_KEY", message: "`justification` is given twice", hint: expect.any(String) }]);
    expect(() => parseWaivers("just text\n", "w.yml")).toThrow(/a waivers file is a list of waivers; this file holds the text "just text"/);
    expect(() => parseWaivers("- LXD-NET-02\n", "w.yml")).toThrow(/a waiver is a mapping/);
  });
});

describe("expiry", () => {
  const expiring = (expires: string): Waiver => waiver({ control: "C-0", expires });

  it("a waiver holds until the end of its day, UTC", () => {
    expect(waiverEnd("2026-12-02").toISOString()).toBe("2026-12-03T00:00:00.000Z");
    expect(isExpired(expiring("2026-12-02"), new Date("2026-12-02T23:59:59.999Z"))).toBe(false);
    expect(isExpired(expiring("2026-12-02"), new Date("2026-12-03T00:00:00.000Z"))).toBe(true);
    expect(isExpired(expiring("2026-12-31"), new Date("2027-01-01T00:00:00.000Z"))).toBe(true);
    expect(isExpired(waiver({ control: "C-0" }), new Date("2999-01-01T00:00:00Z"))).toBe(false);
  });

  it("yesterday: ignored with a warning naming it and its date; today and tomorrow: applied", () => {
    const report = fleet();
    const yesterday = applyWaivers(report, [{ ...expiring("2026-12-01"), location: { file: "w.yml", line: 4, column: 3 } }], now);
    expect(waivedCells(yesterday.report)).toEqual([]);
    expect(yesterday.warnings).toEqual(["waiver C-0 (w.yml:4:3) expired on 2026-12-01 and is ignored: what it waived counts again"]);

    for (const day of ["2026-12-02", "2026-12-03"]) {
      const applied = applyWaivers(report, [expiring(day)], now);
      expect(applied.warnings).toEqual([]);
      expect(waivedCells(applied.report)).toEqual(["tb1/C-0", "tb2/C-0", "tbc1/C-0", "tbc2/C-0", "web1/C-0"]);
      expect(applied.report.hosts[0]?.controls[0]?.waiver).toEqual({ justification: "accepted", expires: day });
    }
  });
});

describe("applying waivers", () => {
  it("turns fail into waived, keeping what was found; error, pass, not_applicable and waived stay", () => {
    const report = fleet([["fail", "error", "pass"], ["not_applicable", "waived", "fail"]]);
    const { report: waived, warnings } = applyWaivers(report, [waiver({ control: "*", hosts: "tb1,tb2", justification: "because" })], now);
    expect(warnings).toEqual([]);
    expect(waived.hosts[0]?.controls).toEqual([
      { id: "C-0", status: "waived", expected: "want", actual: "have", message: "fail", waiver: { justification: "because", expires: null } },
      { id: "C-1", status: "error", expected: null, actual: null, message: "error" },
      { id: "C-2", status: "pass", expected: null, actual: null, message: "pass" },
    ]);
    expect(waived.hosts[1]?.controls.map((result) => result.status)).toEqual(["not_applicable", "waived", "waived"]);
    expect(waived.hosts[1]?.controls[1]?.waiver).toBeUndefined();
  });

  it("recomputes the control counts and the score; leaves the report given unchanged", () => {
    const report = fleet([["fail", "pass", "pass"], ["pass", "pass", "pass"], ["pass", "pass", "pass"], ["pass", "pass", "pass"], ["pass", "pass", "pass"]]);
    report.summary.controls = { pass: 14, fail: 1, error: 0, waived: 0, not_applicable: 0 };
    report.summary.score = score(report.hosts.flatMap((host) => host.controls), new Map(report.controls.map((control) => [control.id, control])));
    const before = structuredClone(report);
    const { report: waived } = applyWaivers(report, [waiver({ control: "C-0", hosts: "tb1" })], now);
    expect(report).toEqual(before);
    expect(report.summary.score).toBeLessThan(100);
    expect(waived.summary.controls).toEqual({ pass: 14, fail: 0, error: 0, waived: 1, not_applicable: 0 });
    expect(waived.summary.score).toBe(100);
    expect(waived.summary.hosts).toBe(report.summary.hosts);
    // Applying the same waivers again changes nothing.
    expect(applyWaivers(waived, [waiver({ control: "C-0", hosts: "tb1" })], now).report).toEqual(waived);
  });

  it.each([
    ["tb1", ["tb1"]],
    ["all", ["tb1", "tb2", "tbc1", "tbc2", "web1"]],
    ["*", ["tb1", "tb2", "tbc1", "tbc2", "web1"]],
    ["standalone", ["tb1", "tb2"]],
    ["cluster1", ["tbc1", "tbc2"]],
    ["lxd", ["tbc1", "tbc2", "web1"]],
    ["tbc*", ["tbc1", "tbc2"]],
    ["~tb[0-9]", ["tb1", "tb2"]],
    ["lxd:!cluster1", ["web1"]],
    ["lxd,&standalone", []],
    ["lxd:&web", ["web1"]],
    ["!tb1", ["tb2", "tbc1", "tbc2", "web1"]],
    ["tb2,web1", ["tb2", "web1"]],
    ["tb2,nothere", ["tb2"]],
    ["standalone,!nothere", ["tb1", "tb2"]],
    ["lxd[0]", ["tbc1"]],
  ])("hosts %j waives on %j", (hosts, expected) => {
    const { report } = applyWaivers(fleet(), [waiver({ control: "C-0", hosts })], now);
    expect(waivedCells(report)).toEqual(expected.map((host) => `${host}/C-0`));
  });

  it("a control glob waives every control it matches", () => {
    const report = fleet([], 12);
    const { report: waived } = applyWaivers(report, [waiver({ control: "C-1?", hosts: "tb1" }), waiver({ control: "C-[23]", hosts: "tb2" })], now);
    expect(waivedCells(waived)).toEqual(["tb1/C-10", "tb1/C-11", "tb2/C-2", "tb2/C-3"]);
  });

  it("several waivers of one result: every justification (with its rule), the earliest expiry", () => {
    const { report } = applyWaivers(
      fleet(),
      [
        waiver({ control: "C-0", hosts: "tb1", justification: "first", expires: "2027-06-30", rule: "xccdf_rule_a" }),
        waiver({ control: "C-*", hosts: "standalone", justification: "second", expires: "2027-01-31" }),
        waiver({ control: "C-0", justification: "third" }),
      ],
      now,
    );
    expect(report.hosts[0]?.controls[0]?.waiver).toEqual({ justification: "xccdf_rule_a: first; second; third", expires: "2027-01-31" });
    expect(report.hosts[4]?.controls[0]?.waiver).toEqual({ justification: "third", expires: null });
  });

  it("warns about a waiver that matches no control or no host, and applies the others", () => {
    const { report, warnings } = applyWaivers(
      fleet(),
      [
        waiver({ control: "C-7", location: { file: "w.yml", line: 1, column: 3 } }),
        waiver({ control: "LXD-NOPE-*" }),
        waiver({ control: "C-1", hosts: "db*,nothere", rule: "r1" }),
        waiver({ control: "C-2", hosts: "tb1,&web" }),
        waiver({ control: "C-0", hosts: "tb1" }),
      ],
      now,
    );
    expect(warnings).toEqual([
      "waiver C-7 (w.yml:1:3) matches no control of the report (did you mean C-0 or C-1 or C-2?)",
      "waiver LXD-NOPE-* matches no control of the report",
      'waiver C-1 on db*,nothere [r1]: hosts "db*,nothere" match no host of the report',
      'waiver C-2 on tb1,&web: hosts "tb1,&web" match no host of the report',
    ]);
    expect(waivedCells(report)).toEqual(["tb1/C-0"]);
  });

  it("the USG waivers waive a failing LXD-HOST-02 with the three rules, and leave a manual not_applicable alone", async () => {
    const waivers = await loadWaivers("playbooks/usg-waivers.yml", { cwd: repo });
    const report = fleet([["fail", "pass", "pass"], ["not_applicable", "pass", "pass"]]);
    report.controls[0] = { ...report.controls[0]!, id: "LXD-HOST-02" };
    for (const host of report.hosts) host.controls[0] = { ...host.controls[0]!, id: "LXD-HOST-02" };
    const { report: waived, warnings } = applyWaivers(report, waivers, now);
    expect(warnings).toEqual([]);
    expect(statusOf(waived, "tb1", "LXD-HOST-02")).toBe("waived");
    expect(statusOf(waived, "tb2", "LXD-HOST-02")).toBe("not_applicable");
    const justification = waived.hosts[0]?.controls[0]?.waiver?.justification ?? "";
    expect(justification.match(/xccdf_org\.ssgproject\.content_rule_\w+/g)).toEqual([
      "xccdf_org.ssgproject.content_rule_grub2_uefi_password",
      "xccdf_org.ssgproject.content_rule_no_files_unowned_by_user",
      "xccdf_org.ssgproject.content_rule_file_permissions_ungroupowned",
    ]);
  });
});
