// `--report FILE.prom` end to end with the real consumer: node_exporter's textfile collector
// (Debian package prometheus-node-exporter, installed by .ci/run; the test fails without it).
// The file fleet writes is read by node_exporter, which must expose every series unchanged and
// report node_textfile_scrape_error 0, also while fleet rewrites the file under it: the report is
// written to a temporary file in the same directory (not named *.prom, which the collector would
// read) and renamed over the old one, so a scrape sees the old file or the new one, never half.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, watch, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { writeReportFile } from "../../../src/cli/report-files.js";
import type { ControlStatus } from "../../../src/engine/results.js";
import { formatOfFile } from "../../../src/report/formats.js";
import { renderPrometheus } from "../../../src/report/render-prom.js";
import type { FleetReport } from "../../../src/report/types.js";
import { captureIo } from "../../support/capture-io.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";
const PYTHON = "/usr/bin/python3";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const PARSE_SCRIPT = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
samples = [{"name": s.name, "labels": s.labels, "value": s.value, "help": f.documentation}
           for f in text_string_to_metric_families(sys.stdin.buffer.read().decode("utf-8")) for s in f.samples]
sys.stdout.write(json.dumps(samples))
`;

/** Every sample of the text, parsed by the official Python client (python3-prometheus-client). */
function parse(text: string): Array<Sample & { help: string }> {
  const result = spawnSync(PYTHON, ["-c", PARSE_SCRIPT], { input: text, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`prometheus_client could not parse (python3-prometheus-client is needed, .ci/run installs it):\n${result.stderr}${result.error?.message ?? ""}`);
  return JSON.parse(result.stdout) as Array<Sample & { help: string }>;
}

const key = (sample: Sample & { help?: string }): string => `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))} ${sample.value}${sample.help === undefined ? "" : ` # ${sample.help}`}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const HOSTILE_HOSTS = ['quote"d', "back\\slash", "new\nline", "literal\\n", "tab\there", "cr\rhere", "é😀漢字\u202e", "{brace},comma=equals", "#hash"];

function hostileReport(): FleetReport {
  const report = syntheticReport(
    HOSTILE_HOSTS.map((_, index): ControlStatus[] => [index % 2 === 0 ? "pass" : "fail", "error", "waived"]),
    HOSTILE_HOSTS.map((_, index) => (index % 3 === 0 ? 'cluster "one"\\' : null)),
  );
  for (const [index, host] of report.hosts.entries()) host.name = HOSTILE_HOSTS[index] ?? "";
  report.playbook = 'play"books\\base\nline.yml';
  return report;
}

describe("node_exporter's textfile collector reads --report FILE.prom", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-textfile-"));
  const file = path.join(dir, "fleet.prom");
  let exporter: ChildProcess | undefined;
  let url = "";

  beforeAll(async () => {
    if (!existsSync(NODE_EXPORTER)) throw new Error(`${NODE_EXPORTER} is needed: apt-get install --no-install-recommends prometheus-node-exporter (as .ci/run does)`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    writeReportFile(file, hostileReport());
    const child = spawn(NODE_EXPORTER, ["--collector.disable-defaults", "--collector.textfile", `--collector.textfile.directory=${dir}`, `--web.listen-address=127.0.0.1:${port}`, "--web.disable-exporter-metrics"], { stdio: ["ignore", "ignore", "pipe"] });
    exporter = child;
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await fetch(url)).ok) break;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`node_exporter did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 30_000);

  afterAll(() => {
    if (exporter?.pid !== undefined && exporter.exitCode === null) exporter.kill("SIGTERM");
  });

  const scrape = async (): Promise<string> => {
    const response = await fetch(url);
    expect(response.ok).toBe(true);
    return response.text();
  };

  it("exposes every fleet series unchanged, hostile label values included, with node_textfile_scrape_error 0", async () => {
    const exposed = parse(await scrape());
    expect(exposed.find((sample) => sample.name === "node_textfile_scrape_error")?.value).toBe(0);
    expect(exposed.find((sample) => sample.name === "node_textfile_mtime_seconds")?.labels["file"]).toMatch(/fleet\.prom$/);
    const fleet = exposed.filter((sample) => sample.name.startsWith("fleet_"));
    const written = parse(readFileSync(file, "utf8"));
    expect(fleet.map(key).sort()).toEqual(written.map(key).sort());
    expect(fleet.filter((sample) => sample.name === "fleet_host_reachable").map((sample) => sample.labels["host"]).sort()).toEqual([...HOSTILE_HOSTS].sort());
    expect(fleet.find((sample) => sample.name === "fleet_audit_info")?.labels["playbook"]).toBe('play"books\\base\nline.yml');
  });

  it("an empty report (no host) is accepted too", async () => {
    writeReportFile(file, syntheticReport([]));
    const exposed = parse(await scrape());
    expect(exposed.find((sample) => sample.name === "node_textfile_scrape_error")?.value).toBe(0);
    expect(exposed.find((sample) => sample.name === "fleet_hosts")?.value).toBe(0);
  });

  it("the check is not vacuous: a file with an invalid escape is refused (node_textfile_scrape_error 1)", async () => {
    const broken = path.join(dir, "broken.prom");
    writeFileSync(broken, '# HELP fleet_broken x\n# TYPE fleet_broken gauge\nfleet_broken{host="a\\qb"} 1\n');
    try {
      const exposed = parse(await scrape());
      expect(exposed.find((sample) => sample.name === "node_textfile_scrape_error")?.value).toBe(1);
    } finally {
      rmSync(broken, { force: true });
    }
  });

  it("never sees half a file while fleet rewrites it (scrapes while 30 reports of different sizes are written)", async () => {
    const statuses: ControlStatus[] = ["pass", "fail", "error", "waived", "not_applicable"];
    const reports = [150, 20, 200, 5].map((hosts) => syntheticReport(Array.from({ length: hosts }, (_, host) => Array.from({ length: 40 }, (_, control) => statuses[(host + control) % 5] ?? "pass"))));
    const sizes = new Set(reports.map((report) => report.hosts.length));
    const seen: number[] = [];
    writeReportFile(file, reports[0] ?? syntheticReport([]));
    let writing = true;
    const scraper = (async () => {
      while (writing) {
        // node_exporter's own output, read plainly here (the first test parses it for real)
        const text = await scrape();
        expect(text).toMatch(/^node_textfile_scrape_error 0$/m);
        const hosts = Number(/^fleet_hosts (\d+)$/m.exec(text)?.[1] ?? "-1");
        // a whole report: one of the host counts written, and as many status series as hosts × controls
        expect(sizes.has(hosts)).toBe(true);
        expect(text.split("\n").filter((line) => line.startsWith("fleet_control_status{"))).toHaveLength(hosts * 40);
        seen.push(hosts);
      }
    })();
    try {
      for (let round = 0; round < 30; round++) {
        writeReportFile(file, reports[round % reports.length] ?? syntheticReport([]));
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    } finally {
      writing = false;
      await scraper;
    }
    expect(seen.length).toBeGreaterThan(5);
    expect(new Set(seen).size).toBeGreaterThan(1); // the scrapes saw several of the reports
    expect(readdirSync(dir).sort()).toEqual(["fleet.prom"]);
  }, 60_000);
});

describe("writeReportFile is atomic for every format (temporary file in the same directory, then rename)", () => {
  it("replaces the file by rename: a reader of the old file still reads all of it, and the new one is a new inode", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-atomic-"));
    const file = path.join(dir, "fleet.prom");
    writeReportFile(file, syntheticReport([["pass", "fail"]]));
    const before = readFileSync(file, "utf8");
    const inode = statSync(file).ino;
    const reader = openSync(file, "r");
    try {
      writeReportFile(file, syntheticReport(Array.from({ length: 50 }, (): ControlStatus[] => ["fail", "fail"])));
      expect(statSync(file).ino).not.toBe(inode);
      const buffer = Buffer.alloc(before.length * 2 + 16);
      const read = readSync(reader, buffer, 0, buffer.length, 0);
      expect(buffer.subarray(0, read).toString("utf8")).toBe(before);
    } finally {
      closeSync(reader);
    }
    expect(readFileSync(file, "utf8")).toContain("fleet_hosts 50\n");
    expect(readdirSync(dir)).toEqual(["fleet.prom"]);
  });

  it("the temporary file sits beside the report and is not named *.prom; the report itself is only ever renamed into place, never written", async () => {
    for (const name of ["fleet.prom", "audit.json", "audit.html", "audit.md", "audit.xml", "audit.txt"]) {
      const dir = mkdtempSync(path.join(tmpdir(), "fleet-atomic-"));
      const file = path.join(dir, name);
      writeReportFile(file, syntheticReport([["pass"]])); // an old report to replace
      const events: Array<[string, string]> = [];
      const watcher = watch(dir, (event, filename) => events.push([event, String(filename)]));
      try {
        writeReportFile(file, syntheticReport([["fail"], ["pass"]]));
        const deadline = Date.now() + 5000;
        while (!events.some(([, filename]) => filename === name) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      } finally {
        watcher.close();
      }
      const temporary = [...new Set(events.map(([, filename]) => filename).filter((filename) => filename !== name))];
      expect(temporary, name).toHaveLength(1); // created, written and renamed in this directory
      expect(temporary[0]?.startsWith(`${name}.`) && !temporary[0].endsWith(".prom"), `${name}: ${temporary[0]}`).toBe(true);
      expect(events.filter(([, filename]) => filename === name).map(([event]) => event), `${name} is renamed into place, not modified`).not.toContain("change");
      expect(events.some(([event, filename]) => event === "rename" && filename === name), name).toBe(true);
      expect(readdirSync(dir), name).toEqual([name]);
      expect(formatOfFile(file)).toBeDefined();
    }
  });
});

describe("--report FILE.prom and fleet report render --format prom on the command line", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-prom-cli-"));
  const inventory = path.join(dir, "hosts.yml");
  writeFileSync(inventory, `all:\n  hosts:\n    l1: { ansible_connection: local, root: ${JSON.stringify(dir)} }\n    l2: { ansible_connection: local, root: ${JSON.stringify(dir)} }\n`);
  const playbook = path.join(dir, "audit.yml");
  writeFileSync(playbook, ["- hosts: all", "  controls:", "    - { id: T-01, title: always fine, severity: high }", "  tasks:", "    - name: fine", "      control: T-01", '      assert: { that: ["1 == 1"] }', ""].join("\n"));

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { io, stdout, stderr } = captureIo();
    const code = await runCli(args, io);
    return { code, stdout: stdout(), stderr: stderr() };
  }

  it("fleet audit --report x.prom writes the metrics of the audit; report render gives the same from the JSON report", async () => {
    const json = path.join(dir, "audit.json");
    const prom = path.join(dir, "audit.prom");
    const audit = await cli(["audit", playbook, "-i", inventory, "--report", json, "--report", prom]);
    expect(audit.code, audit.stderr).toBe(0);
    const metrics = readFileSync(prom, "utf8");
    const report = JSON.parse(readFileSync(json, "utf8")) as FleetReport;
    expect(metrics).toBe(renderPrometheus(report));
    expect(metrics).toContain('fleet_control_status{host="l1",control="T-01",severity="high",cluster="",status="pass"} 1\n');
    expect(metrics).toContain("fleet_score 100\n");

    const byFormat = path.join(dir, "by-format.out");
    expect((await cli(["report", "render", json, "--format", "prom", "-o", byFormat])).code).toBe(0);
    expect(readFileSync(byFormat, "utf8")).toBe(metrics);
    const byExtension = path.join(dir, "by-extension.prom");
    expect((await cli(["report", "render", json, "-o", byExtension])).code).toBe(0);
    expect(readFileSync(byExtension, "utf8")).toBe(metrics);
    const toStdout = await cli(["report", "render", json, "--format", "prom"]);
    expect(toStdout.code).toBe(0);
    expect(toStdout.stdout).toBe(metrics);
  });

  it("an unknown extension names .prom among the formats", async () => {
    const result = await cli(["report", "render", path.join(dir, "missing.json"), "--format", "prometheus"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/prom/);
    expect(() => formatOfFile("x.pdf")).toThrow(expect.objectContaining({ hint: expect.stringContaining(".prom") }));
  });
});
