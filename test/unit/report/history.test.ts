import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InputFileError, UsageError } from "../../../src/errors.js";
import { HISTORY_FILE, historyFileName, historyFiles, historyTarget, keepInHistory, loadHistory, pruneHistory } from "../../../src/report/history.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const temp = (): string => mkdtempSync(path.join(tmpdir(), "fleet-history-"));

function report(startedAt: string, patch: Partial<FleetReport> = {}): FleetReport {
  return Object.assign(syntheticReport([["pass", "fail"]]), { startedAt, finishedAt: startedAt }, patch);
}

describe("history file names", () => {
  it("are the run's start in UTC, colons as dashes, sortable", () => {
    expect(historyFileName("2026-12-03T04:40:08.123Z")).toBe("fleet-report-2026-12-03T04-40-08.123Z.json");
    expect(historyFileName("2026-12-03T05:40:08.123+01:00")).toBe("fleet-report-2026-12-03T04-40-08.123Z.json");
    expect(historyFileName("2026-12-03T04:40:08.123Z", 2)).toBe("fleet-report-2026-12-03T04-40-08.123Z-2.json");
    expect(HISTORY_FILE.test("fleet-report-2026-12-03T04-40-08.123Z.json")).toBe(true);
    expect(HISTORY_FILE.test("fleet-report-2026-12-03T04-40-08.123Z-2.json")).toBe(true);
    for (const foreign of ["fleet-report.json", "fleet-report-latest.json", "audit.json", ".fleet-report-2026-12-03T04-40-08.123Z.json.tmp-1", "fleet-report-2026-12-03T04:40:08.123Z.json"]) expect(HISTORY_FILE.test(foreign), foreign).toBe(false);
    expect(historyFileName("2026-12-03T04:40:08.123Z")).not.toContain(":");
  });
});

describe("historyTarget: checked before any host is touched", () => {
  it("accepts a directory that exists or not", () => {
    const dir = temp();
    expect(historyTarget(dir, undefined)).toEqual({ dir, keep: undefined });
    expect(historyTarget(path.join(dir, "a", "b"), "3")).toEqual({ dir: path.join(dir, "a", "b"), keep: 3 });
    expect(historyTarget(undefined, undefined)).toBeUndefined();
  });

  it("refuses a file, a path below a file, a bad --keep and --keep alone (usage errors)", () => {
    const dir = temp();
    const file = path.join(dir, "file");
    writeFileSync(file, "");
    expect(() => historyTarget(file, undefined)).toThrow(/is a file, not a directory/);
    expect(() => historyTarget(path.join(file, "sub"), undefined)).toThrow(/cannot be a directory/);
    for (const keep of ["0", "-1", "two", "1.5", ""]) expect(() => historyTarget(dir, keep), keep).toThrow(UsageError);
    expect(() => historyTarget(undefined, "3")).toThrow(/--keep needs --history/);
  });
});

describe("keepInHistory", () => {
  it("creates DIR, writes the JSON report atomically and leaves no temporary file", () => {
    const dir = path.join(temp(), "nested", "history");
    const kept = keepInHistory({ dir, keep: undefined }, report("2026-12-03T04:40:08.123Z"));
    expect(kept.file).toBe(path.join(dir, "fleet-report-2026-12-03T04-40-08.123Z.json"));
    expect(readdirSync(dir)).toEqual(["fleet-report-2026-12-03T04-40-08.123Z.json"]);
    expect((JSON.parse(readFileSync(kept.file, "utf8")) as FleetReport).schema).toBe("fleet-report/v1");
  });

  it("never replaces a report: two runs started in the same millisecond get -2", () => {
    const dir = temp();
    const first = keepInHistory({ dir, keep: undefined }, report("2026-12-03T04:40:08.123Z", { playbook: "first.yml" }));
    const second = keepInHistory({ dir, keep: undefined }, report("2026-12-03T04:40:08.123Z", { playbook: "second.yml" }));
    expect(path.basename(second.file)).toBe("fleet-report-2026-12-03T04-40-08.123Z-2.json");
    expect((JSON.parse(readFileSync(first.file, "utf8")) as FleetReport).playbook).toBe("first.yml");
    expect(historyFiles(dir)).toEqual(["fleet-report-2026-12-03T04-40-08.123Z.json", "fleet-report-2026-12-03T04-40-08.123Z-2.json"]);
  });

  it("keeps an interrupted run's report, marked by its interrupted field", () => {
    const dir = temp();
    const kept = keepInHistory({ dir, keep: undefined }, report("2026-12-03T04:40:08.123Z", { interrupted: true }));
    expect((JSON.parse(readFileSync(kept.file, "utf8")) as FleetReport).interrupted).toBe(true);
  });

  it("with keep N, removes the oldest of fleet's own files beyond N and no other file", () => {
    const dir = temp();
    const foreign = ["notes.txt", "audit.json", "fleet-report-latest.json", "fleet-report-2020-01-01T00-00-00.000Z.json.bak"];
    for (const name of foreign) writeFileSync(path.join(dir, name), "mine");
    mkdirSync(path.join(dir, "fleet-report-2019-01-01T00-00-00.000Z.json")); // a directory of that name is not a report file
    for (const day of ["01", "02", "03"]) keepInHistory({ dir, keep: undefined }, report(`2026-12-${day}T00:00:00.000Z`));
    const kept = keepInHistory({ dir, keep: 2 }, report("2026-12-04T00:00:00.000Z"));
    expect(kept.pruned).toEqual(["fleet-report-2026-12-01T00-00-00.000Z.json", "fleet-report-2026-12-02T00-00-00.000Z.json"]);
    expect(readdirSync(dir).sort()).toEqual([...foreign, "fleet-report-2019-01-01T00-00-00.000Z.json", "fleet-report-2026-12-03T00-00-00.000Z.json", "fleet-report-2026-12-04T00-00-00.000Z.json"].sort());
    for (const name of foreign) expect(readFileSync(path.join(dir, name), "utf8")).toBe("mine");
  });

  it("never removes the report just written, even when the others look newer", () => {
    const dir = temp();
    keepInHistory({ dir, keep: undefined }, report("2030-01-01T00:00:00.000Z"));
    const kept = keepInHistory({ dir, keep: 1 }, report("2026-12-01T00:00:00.000Z"));
    expect(kept.pruned).toEqual(["fleet-report-2030-01-01T00-00-00.000Z.json"]);
    expect(historyFiles(dir)).toEqual([path.basename(kept.file)]);
  });

  it("orders by the time in the name, then the sequence", () => {
    const dir = temp();
    for (const name of ["fleet-report-2026-12-03T00-00-00.000Z-2.json", "fleet-report-2026-12-03T00-00-00.000Z-10.json", "fleet-report-2026-12-03T00-00-00.000Z.json", "fleet-report-2026-12-02T23-59-59.999Z.json"]) writeFileSync(path.join(dir, name), "{}");
    expect(historyFiles(dir)).toEqual(["fleet-report-2026-12-02T23-59-59.999Z.json", "fleet-report-2026-12-03T00-00-00.000Z.json", "fleet-report-2026-12-03T00-00-00.000Z-2.json", "fleet-report-2026-12-03T00-00-00.000Z-10.json"]);
    expect(pruneHistory(dir, 1)).toHaveLength(3);
    expect(historyFiles(dir)).toEqual(["fleet-report-2026-12-03T00-00-00.000Z-10.json"]);
  });
});

describe("loadHistory", () => {
  it("reads every *.json file of DIR, hidden ones left out", async () => {
    const dir = temp();
    keepInHistory({ dir, keep: undefined }, report("2026-12-01T00:00:00.000Z"));
    writeFileSync(path.join(dir, "copied-by-hand.json"), JSON.stringify(report("2026-12-02T00:00:00.000Z")));
    writeFileSync(path.join(dir, ".hidden.json"), "not json");
    writeFileSync(path.join(dir, "notes.txt"), "not json");
    const { reports, sources } = await loadHistory(dir);
    expect(sources.map((source) => path.basename(source))).toEqual(["copied-by-hand.json", "fleet-report-2026-12-01T00-00-00.000Z.json"]);
    expect(reports).toHaveLength(2);
  });

  it("a missing, empty or file DIR is a usage error", async () => {
    const dir = temp();
    await expect(loadHistory(path.join(dir, "none"))).rejects.toThrow(/not found/);
    await expect(loadHistory(dir)).rejects.toThrow(/holds no JSON report/);
    writeFileSync(path.join(dir, "f.json"), "{}");
    await expect(loadHistory(path.join(dir, "f.json"))).rejects.toBeInstanceOf(UsageError);
  });

  it("every file that is not a report is a located problem, all of them at once", async () => {
    const dir = temp();
    keepInHistory({ dir, keep: undefined }, report("2026-12-01T00:00:00.000Z"));
    writeFileSync(path.join(dir, "a-broken.json"), '{\n  "schema": "fleet-report/v1",\n  oops\n}\n');
    writeFileSync(path.join(dir, "b-other.json"), '{\n  "schema": "something/v2"\n}\n');
    const error: unknown = await loadHistory(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputFileError);
    const text = (error as InputFileError).describe();
    expect(text).toMatch(/a-broken\.json:3:\d+: not JSON/);
    expect(text).toMatch(/b-other\.json:2:\d+: .*REPORT_SCHEMA/);
  });
});
