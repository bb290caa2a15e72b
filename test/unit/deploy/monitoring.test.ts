// deploy/monitoring: the alert rules (promtool check rules, and promtool test rules on sample
// series), the systemd units (systemd-analyze verify), the cron line, and the Kubernetes CronJob
// (the Kubernetes API schema, then run for real: the real fleet through the image's wrapper writes
// the metrics, the push container PUTs them to a real Pushgateway, which must serve them back).
// promtool, systemd-analyze, prometheus-node-exporter, prometheus-pushgateway and
// python3-prometheus-client are installed by .ci/run: a missing one fails the test, never skips it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { IContainer } from "kubernetes-models/v1/Container";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import type { ControlStatus } from "../../../src/engine/results.js";
import { renderPrometheus } from "../../../src/report/render-prom.js";
import { captureIo } from "../../support/capture-io.js";
import { syntheticReport } from "../../support/synthetic-report.js";
import { LOCAL_INVENTORY, ONE_CONTROL_PLAYBOOK } from "./support/fixtures.js";
import { kubernetesProblems } from "./support/kubernetes-schema.js";
import { makeSandbox, removeSandboxes, REPO, runIn } from "./support/sandbox.js";

afterEach(removeSandboxes);

const DIR = path.join(REPO, "deploy/monitoring");
const RULES = path.join(DIR, "fleet-alerts.yml");
const RULE_TESTS = path.join(DIR, "fleet-alerts.test.yml");
const TEXTFILE_DIR = "/var/lib/prometheus/node-exporter"; // Debian's prometheus-node-exporter default

function run(command: string, args: readonly string[], options: { cwd?: string; input?: string } = {}): { status: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error !== undefined) throw new Error(`${command} is needed (.ci/run installs it): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const PARSE_SCRIPT = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
sys.stdout.write(json.dumps([{"name": s.name, "labels": s.labels, "value": s.value}
    for f in text_string_to_metric_families(sys.stdin.buffer.read().decode("utf-8")) for s in f.samples]))
`;

/** Samples parsed by the official Python client (python3-prometheus-client). */
function parseMetrics(text: string): Sample[] {
  const result = run("/usr/bin/python3", ["-c", PARSE_SCRIPT], { input: text });
  if (result.status !== 0) throw new Error(`prometheus_client could not parse:\n${result.output}`);
  return JSON.parse(result.output) as Sample[];
}

const sampleKey = (sample: Sample): string => `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))} ${sample.value}`;

/** The families renderPrometheus writes and the label names of each, from a report with every kind of series. */
function renderedLabelNames(): Map<string, string[]> {
  const families = new Map<string, string[]>();
  for (const line of renderPrometheus(syntheticReport([["pass", "fail"]], ["c1"])).split("\n")) {
    const match = /^(fleet_\w+)(?:\{(.*)\})? /.exec(line);
    if (match?.[1] === undefined) continue;
    families.set(match[1], [...(match[2] ?? "").matchAll(/(\w+)="/g)].map((label) => label[1] ?? ""));
  }
  return families;
}

describe("deploy/monitoring/fleet-alerts.yml", () => {
  const rules = parseYaml(readFileSync(RULES, "utf8")) as { groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for?: string; labels?: Record<string, string> }> }> };
  const alerts = rules.groups.flatMap((group) => group.rules);

  it("is valid for promtool check rules", () => {
    const checked = run("promtool", ["check", "rules", RULES]);
    expect(checked.output).toContain("SUCCESS: 6 rules found");
    expect(checked.output).not.toMatch(/WARNING|FAILED/);
    expect(checked.status).toBe(0);
    expect(alerts.map((rule) => rule.alert)).toEqual(["FleetControlRegressed", "FleetScoreDropped", "FleetAuditStale", "FleetAuditMetricsMissing", "FleetHostUnreachable", "FleetAuditInterrupted"]);
  });

  it("passes its unit tests (promtool test rules fleet-alerts.test.yml): regression, score drop, stale, missing, unreachable, interrupted", () => {
    const tested = run("promtool", ["test", "rules", RULE_TESTS]);
    expect(tested.output).toContain("SUCCESS");
    expect(tested.status).toBe(0);
    const names = new Set((parseYaml(readFileSync(RULE_TESTS, "utf8")) as { tests: Array<{ alert_rule_test: Array<{ alertname: string }> }> }).tests.flatMap((test) => test.alert_rule_test.map((entry) => entry.alertname)));
    expect([...names].sort()).toEqual(alerts.map((rule) => rule.alert).sort());
  });

  it("the unit tests are not vacuous: counting waived → fail as a regression breaks them", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-rules-"));
    copyFileSync(RULE_TESTS, path.join(dir, "fleet-alerts.test.yml"));
    const text = readFileSync(RULES, "utf8");
    const mutated = text.replace('max_over_time(fleet_control_status{status="pass"}[1d])', 'max_over_time(fleet_control_status{status=~"pass|waived"}[1d])');
    expect(mutated).not.toBe(text);
    writeFileSync(path.join(dir, "fleet-alerts.yml"), mutated);
    const tested = run("promtool", ["test", "rules", "fleet-alerts.test.yml"], { cwd: dir });
    expect(tested.status).not.toBe(0);
    expect(tested.output).toMatch(/FAILED[\s\S]*FleetControlRegressed[\s\S]*host="h3"/);
  });

  it("uses only metrics and labels fleet writes, and the tests' series have exactly fleet's labels (plus job and instance)", () => {
    const families = renderedLabelNames();
    for (const rule of alerts) for (const [name] of rule.expr.matchAll(/\bfleet_\w+/g)) expect([...families.keys()], `${rule.alert}: ${name}`).toContain(name);
    for (const rule of alerts) for (const [, list] of rule.expr.matchAll(/\bon \(([^)]*)\)/g)) for (const label of (list ?? "").split(",").map((entry) => entry.trim())) expect(["job", "instance", ...(families.get("fleet_control_status") ?? [])], `${rule.alert}: on (${label})`).toContain(label);
    const tests = (parseYaml(readFileSync(RULE_TESTS, "utf8")) as { tests: Array<{ input_series: Array<{ series: string }> }> }).tests;
    for (const { series } of tests.flatMap((test) => test.input_series)) {
      const match = /^(\w+)\{(.*)\}$/.exec(series);
      const name = match?.[1] ?? "";
      if (name === "up") continue; // the stand-in for "no fleet metrics at all"
      const labels = [...(match?.[2] ?? "").matchAll(/(\w+)="/g)].map((label) => label[1] ?? "").filter((label) => label !== "job" && label !== "instance");
      const expected = families.get(name);
      expect(expected, series).toBeDefined();
      // a standalone host's cluster="" is no label in Prometheus
      expect(labels.sort(), series).toEqual((expected ?? []).filter((label) => label !== "cluster" || labels.includes("cluster")).sort());
    }
  });
});

/** The argv of a unit's ExecStart (one line after joining the backslash continuations). */
function execStart(unit: string): string[] {
  const joined = unit.replace(/\\\n\s*/g, "");
  const line = /^ExecStart=(.*)$/m.exec(joined)?.[1] ?? "";
  return line.split(/\s+/).filter((word) => word !== "");
}

/** The options `fleet audit` accepts, from its --help. */
async function auditOptions(): Promise<string[]> {
  const { io, stdout } = captureIo();
  await runCli(["audit", "--help"], io);
  return [...stdout().matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((match) => match[1] ?? "");
}

describe("deploy/monitoring: the systemd units and the cron line", () => {
  const service = readFileSync(path.join(DIR, "fleet-audit.service"), "utf8");
  const timer = readFileSync(path.join(DIR, "fleet-audit.timer"), "utf8");
  const cron = readFileSync(path.join(DIR, "fleet-audit.cron"), "utf8");

  it("systemd-analyze verify finds nothing to say about the service and the timer", () => {
    // verify checks that ExecStart's program exists: /usr/local/bin/fleet is not installed here
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-units-"));
    expect(service).toContain("ExecStart=/usr/local/bin/fleet audit ");
    writeFileSync(path.join(dir, "fleet-audit.service"), service.replace("ExecStart=/usr/local/bin/fleet ", "ExecStart=/bin/true "));
    writeFileSync(path.join(dir, "fleet-audit.timer"), timer);
    const verified = run("systemd-analyze", ["verify", "fleet-audit.service", "fleet-audit.timer"], { cwd: dir });
    expect(verified.output).toBe("");
    expect(verified.status).toBe(0);
    // and it is not vacuous
    writeFileSync(path.join(dir, "fleet-audit.timer"), timer.replace(/^OnCalendar=.*$/m, "OnCalendar=every night"));
    expect(run("systemd-analyze", ["verify", "fleet-audit.timer"], { cwd: dir }).output).toMatch(/Failed to parse calendar/);
  });

  it("runs nightly, catches up missed nights, and treats fleet's findings (2, 3) as success", () => {
    expect(timer).toMatch(/^OnCalendar=\*-\*-\* 02:00:00$/m);
    expect(timer).toMatch(/^Persistent=true$/m);
    expect(service).toMatch(/^Type=oneshot$/m);
    expect(service).toMatch(/^SuccessExitStatus=2 3$/m);
  });

  it("the service and the cron line run the same audit, with options fleet audit has, into node_exporter's default textfile directory", async () => {
    const fromService = execStart(service).slice(1);
    const cronLine = cron.split("\n").find((line) => /^\d/.test(line)) ?? "";
    const [minute, hour, dayOfMonth, month, dayOfWeek, user, ...command] = cronLine.split(/\s+/);
    expect([minute, hour, dayOfMonth, month, dayOfWeek, user]).toEqual(["17", "2", "*", "*", "*", "fleet"]);
    expect(service).toMatch(/^User=fleet$/m);
    expect(command.join(" ")).toContain(`cd /var/lib/fleet && fleet ${fromService.join(" ")} >>`);
    expect(cronLine).not.toContain("%"); // cron would turn it into a line break
    expect(fromService).toContain(`${TEXTFILE_DIR}/fleet.prom`);
    expect(service).toMatch(new RegExp(`^ReadWritePaths=${TEXTFILE_DIR}$`, "m"));
    const options = await auditOptions();
    for (const word of fromService.filter((entry) => entry.startsWith("--"))) expect(options, word).toContain(word);
    // the directory the units write to is where Debian's node_exporter reads by default
    expect(run("/usr/bin/prometheus-node-exporter", ["--help"]).output).toContain(`--collector.textfile.directory="${TEXTFILE_DIR}"`);
  });

  it("docs/monitoring.md shows the units and the cron line as they are (comments left out), and every alert", () => {
    const doc = readFileSync(path.join(REPO, "docs/monitoring.md"), "utf8");
    const withoutComments = (text: string): string => `${text.split("\n").filter((line) => !line.startsWith("#")).join("\n").trim()}\n`;
    const blocks = [...doc.matchAll(/```ini\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    expect(blocks).toEqual([withoutComments(service), withoutComments(timer)]);
    expect(doc).toContain(`\n\`\`\`\n${withoutComments(cron)}\`\`\`\n`);
    const rules = parseYaml(readFileSync(RULES, "utf8")) as { groups: Array<{ rules: Array<{ alert: string }> }> };
    for (const { alert } of rules.groups.flatMap((group) => group.rules)) expect(doc).toContain(`| \`${alert}\` |`);
  });
});

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

describe("deploy/monitoring/cronjob.yaml", () => {
  const documents = parseAllDocuments(readFileSync(path.join(DIR, "cronjob.yaml"), "utf8"), { version: "1.1" });
  const cronJob = documents[0]?.toJS() as ICronJob;
  const pod = cronJob.spec?.jobTemplate.spec?.template.spec;
  const audit = pod?.initContainers?.[0] as IContainer;
  const push = pod?.containers[0] as IContainer;
  const scriptOf = (container: IContainer): string => {
    expect(container.command).toEqual(["/bin/sh", "-c"]);
    return container.args?.[0] ?? "";
  };
  const envOf = (container: IContainer): Record<string, string> => Object.fromEntries((container.env ?? []).flatMap((entry) => (entry.value === undefined ? [] : [[entry.name, entry.value]])));

  it("is one CronJob, valid against the Kubernetes API schema with no unknown field", async () => {
    expect(documents).toHaveLength(1);
    expect(documents[0]?.errors).toEqual([]);
    expect(cronJob.kind).toBe("CronJob");
    expect(await kubernetesProblems(cronJob)).toEqual([]);
  });

  it("runs nightly, one at a time; the audit runs first (init container) and the push only after it succeeded", () => {
    expect(cronJob.spec?.schedule).toBe("17 2 * * *");
    expect(cronJob.spec?.concurrencyPolicy).toBe("Forbid");
    expect(pod?.restartPolicy).toBe("Never");
    expect(pod?.initContainers?.map((container) => container.name)).toEqual(["audit"]);
    expect(pod?.containers.map((container) => container.name)).toEqual(["push"]);
    expect(audit.image).toBe(push.image);
    // the wrapper the audit runs through is in the image built by deploy/container/Dockerfile
    expect(scriptOf(audit)).toMatch(/^exec sh deploy\/shard-audit\.sh node dist\/cli\/main\.js audit /);
    expect(readFileSync(path.join(REPO, "deploy/container/Dockerfile"), "utf8")).toMatch(/^COPY .*deploy\/shard-audit\.sh.* \.\/deploy\/$/m);
    // the metrics go through the emptyDir `out`, mounted at FLEET_OUT in both containers
    for (const container of [audit, push]) {
      expect(envOf(container)["FLEET_OUT"]).toBe("/out");
      expect(container.volumeMounts?.find((mount) => mount.name === "out")?.mountPath).toBe("/out");
    }
    expect(pod?.volumes?.find((entry) => entry.name === "out")?.emptyDir).toBeDefined();
    expect(pod?.volumes?.find((entry) => entry.name === "reports")?.persistentVolumeClaim?.claimName).toBe("fleet-reports");
    for (const container of [audit, push]) expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });

  describe("run for real: fleet audits six local hosts, the push container PUTs the metrics to a Pushgateway", () => {
    let gateway: ChildProcess | undefined;
    let gatewayUrl = "";

    beforeAll(async () => {
      const port = await freePort();
      gatewayUrl = `http://127.0.0.1:${port}`;
      const data = mkdtempSync(path.join(tmpdir(), "fleet-pushgateway-"));
      const child = spawn("/usr/bin/prometheus-pushgateway", [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${path.join(data, "pushgateway.data")}`], { stdio: ["ignore", "ignore", "pipe"] });
      gateway = child;
      let log = "";
      child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
      child.on("error", (error) => (log += `\n${error.message} (prometheus-pushgateway is needed: .ci/run installs it)`));
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          if ((await fetch(`${gatewayUrl}/-/ready`)).ok) break;
        } catch {
          // not listening yet
        }
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the Pushgateway did not start:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }, 30_000);

    afterAll(() => {
      if (gateway?.pid !== undefined && gateway.exitCode === null) gateway.kill("SIGTERM");
    });

    const pushed = async (): Promise<Sample[]> => parseMetrics(await (await fetch(`${gatewayUrl}/metrics`)).text()).filter((sample) => sample.name.startsWith("fleet_"));

    it("the audit writes fleet.prom and the JSON history; the Pushgateway then serves exactly those series, job=fleet-audit", async () => {
      const sandbox = makeSandbox("real");
      mkdirSync(path.join(sandbox.dir, "playbooks"));
      writeFileSync(path.join(sandbox.dir, "playbooks/baseline.yml"), ONE_CONTROL_PLAYBOOK);
      writeFileSync(path.join(sandbox.dir, "inventory.yml"), LOCAL_INVENTORY);
      writeFileSync(path.join(sandbox.dir, "ssh_config"), "");
      const out = path.join(sandbox.dir, "out");
      const auditScript = scriptOf(audit)
        .replace("/etc/fleet/inventory/inventory.yml", path.join(sandbox.dir, "inventory.yml"))
        .replace("/etc/fleet/ssh-config/config", path.join(sandbox.dir, "ssh_config"))
        .replace("/reports/history", path.join(sandbox.dir, "reports/history"));
      const audited = runIn(sandbox, ["/bin/sh", "-c", auditScript], sandbox.env({ ...envOf(audit), FLEET_OUT: out }), 120_000);
      // h3 fails the control: fleet exits 2, the wrapper 0 (a finding, not a failure of the job)
      expect(audited.stderr).toMatch(/fleet exited 2 \(some control failed\)/);
      expect(audited.status, audited.stderr).toBe(0);
      expect(readdirSync(path.join(sandbox.dir, "reports/history")).filter((name) => name.endsWith(".json"))).toHaveLength(1);
      const metrics = readFileSync(path.join(out, "fleet.prom"), "utf8");
      expect(metrics).toContain('fleet_control_status{host="h3",control="TEST-01",severity="low",cluster="",status="fail"} 1\n');
      expect(metrics).toContain('fleet_host_reachable{host="c1",cluster="cluster1"} 1\n');

      const pushedRun = runIn(sandbox, ["/bin/sh", "-c", scriptOf(push)], sandbox.env({ ...envOf(push), FLEET_OUT: out, FLEET_PUSHGATEWAY_URL: `${gatewayUrl}/` }));
      expect(pushedRun.status, pushedRun.stderr).toBe(0);
      expect(pushedRun.stderr).toContain(`fleet: pushed ${Buffer.byteLength(metrics)} bytes of metrics to ${gatewayUrl}/metrics/job/fleet-audit`);
      const served = await pushed();
      expect(served.map(sampleKey).sort()).toEqual(
        parseMetrics(metrics)
          .map((sample) => sampleKey({ ...sample, labels: { ...sample.labels, instance: "", job: "fleet-audit" } }))
          .sort(),
      );
    }, 180_000);

    it("a later push replaces the whole group: hosts no longer audited disappear; hostile label values survive", async () => {
      const sandbox = makeSandbox("stub");
      const out = path.join(sandbox.dir, "out");
      mkdirSync(out);
      const pushScript = (): ReturnType<typeof runIn> => runIn(sandbox, ["/bin/sh", "-c", scriptOf(push)], sandbox.env({ ...envOf(push), FLEET_OUT: out, FLEET_PUSHGATEWAY_URL: gatewayUrl }));
      writeFileSync(path.join(out, "fleet.prom"), renderPrometheus(syntheticReport([["pass"], ["pass"], ["fail"]])));
      expect(pushScript().status).toBe(0);
      expect((await pushed()).filter((sample) => sample.name === "fleet_host_reachable").map((sample) => sample.labels["host"])).toEqual(["h0", "h1", "h2"]);
      const report = syntheticReport(
        [["pass", "fail"], ["error", "waived"]].map((row) => row as ControlStatus[]),
        ['cl"us\\ter\n2', null],
      );
      const [first, second] = report.hosts;
      if (first === undefined || second === undefined) throw new Error("two hosts");
      first.name = 'we"ird\\host\nname é😀';
      second.name = "plain";
      writeFileSync(path.join(out, "fleet.prom"), renderPrometheus(report));
      const pushedRun = pushScript();
      expect(pushedRun.status, pushedRun.stderr).toBe(0);
      const served = await pushed();
      expect([...new Set(served.filter((sample) => sample.name === "fleet_host_reachable").map((sample) => sample.labels["host"]))].sort()).toEqual(["plain", 'we"ird\\host\nname é😀']);
      expect(served.find((sample) => sample.labels["host"] === 'we"ird\\host\nname é😀')?.labels["cluster"]).toBe('cl"us\\ter\n2');
      expect(served.map(sampleKey).sort()).toEqual(parseMetrics(renderPrometheus(report)).map((sample) => sampleKey({ ...sample, labels: { ...sample.labels, instance: "", job: "fleet-audit" } })).sort());
    });

    it("fails (exit 1, with the reason) when the Pushgateway cannot be reached or refuses the metrics", async () => {
      const sandbox = makeSandbox("stub");
      const out = path.join(sandbox.dir, "out");
      mkdirSync(out);
      writeFileSync(path.join(out, "fleet.prom"), renderPrometheus(syntheticReport([["pass"]])));
      const closed = runIn(sandbox, ["/bin/sh", "-c", scriptOf(push)], sandbox.env({ ...envOf(push), FLEET_OUT: out, FLEET_PUSHGATEWAY_URL: `http://127.0.0.1:${await freePort()}` }));
      expect(closed.status).toBe(1);
      expect(closed.stderr).toMatch(/fleet: cannot push the metrics to http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/fleet-audit: fetch failed/);
      writeFileSync(path.join(out, "fleet.prom"), "# TYPE fleet_x gauge\nfleet_x{a=\"b\\q\"} 1\n");
      const refused = runIn(sandbox, ["/bin/sh", "-c", scriptOf(push)], sandbox.env({ ...envOf(push), FLEET_OUT: out, FLEET_PUSHGATEWAY_URL: gatewayUrl }));
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/the Pushgateway answered 400/);
    });
  });
});
