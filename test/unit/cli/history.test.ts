import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { HISTORY_FILE } from "../../../src/report/history.js";
import type { TrendModel } from "../../../src/report/trend.js";
import type { FleetReport } from "../../../src/report/types.js";
import { captureIo } from "../../support/capture-io.js";

/** Two local hosts and a playbook of two controls: T-01 fails until `fleet run` writes the marker file. */
function setup(): { dir: string; inventory: string; playbook: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-history-cli-"));
  const inventory = path.join(dir, "hosts.yml");
  writeFileSync(inventory, `all:\n  hosts:\n    l1: { ansible_connection: local, root: ${JSON.stringify(dir)}, n: "1" }\n    l2: { ansible_connection: local, root: ${JSON.stringify(dir)}, n: "2" }\n`);
  const playbook = path.join(dir, "audit.yml");
  writeFileSync(
    playbook,
    [
      "- hosts: all",
      "  controls:",
      "    - { id: T-01, title: the marker file exists, severity: high }",
      "    - { id: T-02, title: always fine, severity: low }",
      "  tasks:",
      "    - name: marker",
      "      control: T-01",
      '      copy: { dest: "{{ root }}/marker-{{ n }}", content: "ok\\n" }',
      "    - name: fine",
      "      control: T-02",
      '      assert: { that: ["1 == 1"] }',
      "",
    ].join("\n"),
  );
  return { dir, inventory, playbook };
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, stdout, stderr } = captureIo();
  const code = await runCli(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

const fleetFiles = (dir: string): string[] => readdirSync(dir).filter((name) => HISTORY_FILE.test(name)).sort();
const keptFile = (stderr: string): string => /report kept in (\S+)/.exec(stderr)?.[1] ?? "";

describe("--history and --keep on fleet audit and fleet run", () => {
  it("keeps each run's JSON report in DIR (created if missing) under a timestamped name", { timeout: 60_000 }, async () => {
    const { dir, inventory, playbook } = setup();
    const history = path.join(dir, "reports", "audits");
    const audit = await cli(["audit", playbook, "-i", inventory, "--history", history]);
    expect(audit.code).toBe(2);
    const files = fleetFiles(history);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^fleet-report-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.json$/);
    expect(keptFile(audit.stderr)).toBe(path.join(history, files[0] ?? ""));
    expect(readdirSync(history)).toEqual(files); // no temporary file left
    const report = JSON.parse(readFileSync(path.join(history, files[0] ?? ""), "utf8")) as FleetReport;
    expect(report.schema).toBe("fleet-report/v1");
    expect(files[0]).toBe(`fleet-report-${report.startedAt.replace(/:/g, "-")}.json`);

    const run = await cli(["run", playbook, "-i", inventory, "--history", history]);
    expect(run.code).toBe(0);
    expect(fleetFiles(history)).toHaveLength(2);
  });

  it("--keep N leaves exactly the N newest of fleet's own files and every other file alone", { timeout: 60_000 }, async () => {
    const { dir, inventory, playbook } = setup();
    const history = path.join(dir, "history");
    mkdirSync(history);
    const foreign = ["notes.txt", "fleet-report-latest.json", "audit.html"];
    for (const name of foreign) writeFileSync(path.join(history, name), "keep me");
    const old = ["fleet-report-2020-01-01T00-00-00.000Z.json", "fleet-report-2020-01-02T00-00-00.000Z.json", "fleet-report-2020-01-03T00-00-00.000Z.json"];
    for (const name of old) writeFileSync(path.join(history, name), "{}");

    const first = await cli(["audit", playbook, "-i", inventory, "--history", history, "--keep", "2"]);
    expect(first.stderr).toMatch(/\(2 older removed, --keep 2\)/);
    expect(fleetFiles(history)).toEqual([old[2], path.basename(keptFile(first.stderr))]);
    const second = await cli(["audit", playbook, "-i", inventory, "--history", history, "--keep", "2"]);
    const third = await cli(["audit", playbook, "-i", inventory, "--history", history, "--keep", "2"]);
    expect(fleetFiles(history)).toEqual([keptFile(second.stderr), keptFile(third.stderr)].map((file) => path.basename(file)));
    for (const name of foreign) expect(readFileSync(path.join(history, name), "utf8")).toBe("keep me");
  });

  it("a DIR that is a file, a bad --keep, --keep without --history: exit 5 before any host is touched", async () => {
    const { dir, inventory, playbook } = setup();
    const file = path.join(dir, "a-file");
    writeFileSync(file, "");
    for (const args of [
      ["--history", file],
      ["--history", path.join(file, "below")],
      ["--history", path.join(dir, "h"), "--keep", "0"],
      ["--history", path.join(dir, "h"), "--keep", "all"],
      ["--keep", "3"],
    ]) {
      const result = await cli(["audit", playbook, "-i", inventory, ...args]);
      expect(result.code, args.join(" ")).toBe(5);
      expect(result.stderr).toMatch(/HISTORY_(TARGET|KEEP)/);
      expect(result.stderr).not.toContain("PLAY [");
      expect(result.stdout).toBe("");
    }
    expect(existsSync(path.join(dir, "marker-1"))).toBe(false);
    expect(existsSync(path.join(dir, "h"))).toBe(false);
  });
});

describe("fleet report trend", () => {
  it("from a history of audit → run → audit: every format, filters", { timeout: 60_000 }, async () => {
    const { dir, inventory, playbook } = setup();
    const history = path.join(dir, "history");
    expect((await cli(["audit", playbook, "-i", inventory, "--history", history])).code).toBe(2);
    expect((await cli(["run", playbook, "-i", inventory, "--history", history])).code).toBe(0);
    expect((await cli(["audit", playbook, "-i", inventory, "--history", history])).code).toBe(0);

    const table = await cli(["report", "trend", history]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Compliance trend of .*audit\.yml/);
    expect(table.stdout).toMatch(/3 reports from/);
    expect(table.stdout).toMatch(/T-01 .*high .*passing .*fixed /);
    expect(table.stdout).toMatch(/l1 .*passing/);

    const md = await cli(["report", "trend", history, "--format", "md"]);
    expect(md.stdout).toMatch(/^# Compliance trend/);
    expect(md.stdout).toContain("| T-01 | high | passing |");

    const json = path.join(dir, "out", "trend.json");
    expect((await cli(["report", "trend", history, "-o", json])).code).toBe(0);
    const model = JSON.parse(readFileSync(json, "utf8")) as TrendModel;
    expect(model.schema).toBe("fleet-trend/v1");
    expect(model.points.map((point) => point.mode)).toEqual(["audit", "run", "audit"]);
    expect(model.points[0]?.counts.fail).toBe(2);
    expect(model.totals).toMatchObject({ reports: 3, newFailures: 2, fixes: 2, regressions: 0, open: 0, failingNow: 0 });
    const t01 = model.controls.find((control) => control.id === "T-01");
    expect(t01).toMatchObject({ state: "passing", fixes: 2, failingHosts: [] });
    expect(t01?.remediation.count).toBe(2);
    expect(t01?.fixedAt).toBe(model.points[1]?.startedAt);

    const html = path.join(dir, "trend.html");
    expect((await cli(["report", "trend", history, "-o", html])).code).toBe(0);
    const page = readFileSync(html, "utf8");
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain("<svg");
    expect(page.trimEnd().endsWith("</html>")).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes(".tmp-"))).toEqual([]);

    const forced = await cli(["report", "trend", history, "--format", "html"]);
    expect(forced.stdout).toContain("<svg");

    const control = JSON.parse((await cli(["report", "trend", history, "--format", "json", "--control", "T-02"])).stdout) as TrendModel;
    expect(control.controls.map((entry) => entry.id)).toEqual(["T-02"]);
    expect(control.totals.fixes).toBe(0);
    const host = JSON.parse((await cli(["report", "trend", history, "--format", "json", "--host", "l2"])).stdout) as TrendModel;
    expect(host.hosts.map((entry) => entry.name)).toEqual(["l2"]);
    expect(host.totals.fixes).toBe(1);

    const unknown = await cli(["report", "trend", history, "--control", "T-1"]);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toMatch(/TREND_UNKNOWN_CONTROL/);
    expect(unknown.stderr).toMatch(/did you mean T-01/);
    const badOutput = await cli(["report", "trend", history, "-o", path.join(dir, "trend.pdf")]);
    expect(badOutput.code).toBe(5);
  });

  it("an empty or missing directory is a usage error; a file that is not a report is exit 4 at file:line", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-trend-cli-"));
    const empty = await cli(["report", "trend", dir]);
    expect(empty.code).toBe(5);
    expect(empty.stderr).toMatch(/holds no JSON report \[TREND_EMPTY\]/);
    expect((await cli(["report", "trend", path.join(dir, "missing")])).code).toBe(5);
    writeFileSync(path.join(dir, "broken.json"), '{\n  "schema": "fleet-report/v1",\n  "mode": \n}\n');
    const broken = await cli(["report", "trend", dir]);
    expect(broken.code).toBe(4);
    expect(broken.stderr).toMatch(/broken\.json:4:1: not JSON/);
  });

  it("warns about a shard report and leaves it out", { timeout: 60_000 }, async () => {
    const { dir, inventory, playbook } = setup();
    const history = path.join(dir, "history");
    await cli(["audit", playbook, "-i", inventory, "--history", history]);
    const shard = await cli(["audit", playbook, "-i", inventory, "--shard", "1/2", "--history", history]);
    const shardFile = keptFile(shard.stderr);
    expect((JSON.parse(readFileSync(shardFile, "utf8")) as FleetReport).shard).toEqual({ index: 1, count: 2 });
    const trend = await cli(["report", "trend", history, "--format", "json"]);
    expect(trend.code).toBe(0);
    expect(trend.stderr).toMatch(/warning: .*fleet-report-.*\.json: left out: shard 1\/2 of a split run: merge the shards first/);
    expect((JSON.parse(trend.stdout) as TrendModel).points).toHaveLength(1);
  });
});
