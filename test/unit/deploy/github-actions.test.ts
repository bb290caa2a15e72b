// deploy/github-actions/fleet-audit.yml: validated by GitHub's own workflow parser, then what the
// parser cannot see: the matrix covers shards 1..N, the artifacts connect the jobs, and the steps'
// scripts do the right thing when run the way a runner runs them (bash -eo pipefail), against a
// stub fleet and against the real fleet.
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { LOCAL_INVENTORY, ONE_CONTROL_PLAYBOOK } from "./support/fixtures.js";
import { makeSandbox, removeSandboxes, REPO, runIn, type Run, type Sandbox } from "./support/sandbox.js";
import { WORKFLOW_PARSER_VERSION, workflowErrors } from "./support/workflow-schema.js";

afterEach(removeSandboxes);

const FILE = path.join(REPO, "deploy/github-actions/fleet-audit.yml");
const TEXT = readFileSync(FILE, "utf8");

interface Step {
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  if?: string;
}

interface Job {
  name?: string;
  needs?: string | string[];
  "runs-on": string;
  env?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
  steps: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = parse(TEXT) as Workflow; // checked against GitHub's schema in the first test

function job(name: string): Job {
  const found = workflow.jobs[name];
  if (found === undefined) throw new Error(`no job ${name}`);
  return found;
}

function step(jobName: string, name: string): Step {
  const found = job(jobName).steps.filter((entry) => entry.name === name);
  if (found.length !== 1) throw new Error(`${jobName}: expected one step named ${name}, found ${found.length}`);
  return found[0] as Step;
}

function usesStep(jobName: string, action: string): Step[] {
  return job(jobName).steps.filter((entry) => entry.uses?.startsWith(`${action}@`));
}

const SHARDS = Number(workflow.env["FLEET_SHARDS"]);
const shards = Array.from({ length: SHARDS }, (_, index) => index + 1);

interface Context {
  matrix?: Record<string, string>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
}

/** `${{ }}` in env values and `with:` as the runner evaluates them, for the few forms this workflow uses. */
function evaluate(text: string, context: Context): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    const match = /^(matrix|secrets|vars)\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(expression);
    if (!match) throw new Error(`the test does not evaluate \${{ ${expression} }}: add it here`);
    const [, scope = "", name = ""] = match;
    const value = context[scope as keyof Context]?.[name];
    if (value === undefined && scope === "matrix") throw new Error(`no matrix value ${name}`);
    return value ?? ""; // an unset secret or variable is the empty string
  });
}

/** Runs a `run:` step as an ubuntu runner does: bash --noprofile --norc -eo pipefail, with the env of workflow, job and step. */
function runStep(sandbox: Sandbox, jobName: string, entry: Step, context: Context, extra: Record<string, string> = {}): Run {
  if (entry.run === undefined) throw new Error(`${entry.name ?? "a step"} is not a run step`);
  expect(entry.shell, "the runner's default shell (bash -eo pipefail)").toBeUndefined();
  const env: Record<string, string> = {};
  for (const layer of [workflow.env, job(jobName).env ?? {}, entry.env ?? {}]) for (const [name, value] of Object.entries(layer)) env[name] = evaluate(String(value), context);
  const runnerTemp = path.join(sandbox.dir, "_runner_temp");
  mkdirSync(runnerTemp, { recursive: true });
  const scriptFile = path.join(runnerTemp, `step-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(scriptFile, entry.run);
  return runIn(sandbox, ["/bin/bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile], sandbox.env({ CI: "true", GITHUB_ACTIONS: "true", RUNNER_TEMP: runnerTemp, GITHUB_STEP_SUMMARY: path.join(runnerTemp, "step-summary.md"), ...env, ...extra }), 120_000);
}

const SECRETS = { FLEET_SSH_KEY: "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----", FLEET_KNOWN_HOSTS: "lxd-prod-01 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0000000000000000000000000000000000000000000" };

/** A glob of upload/download-artifact (only `*` is used here) as a regular expression. */
const globRegExp = (glob: string): RegExp => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*")}$`);

describe("deploy/github-actions/fleet-audit.yml: GitHub's workflow schema", () => {
  it(`is valid for @actions/workflow-parser ${WORKFLOW_PARSER_VERSION} (keys, expressions and their contexts, cron, needs)`, () => {
    const broken = {
      "misspelt key": TEXT.replace("runs-on: ubuntu-24.04\n    timeout-minutes: 15", "runs_on: ubuntu-24.04\n    timeout-minutes: 15"),
      "bad expression": TEXT.replace("if: always()", "if: ${{ always( }}"),
      "unknown context": TEXT.replace("name: audit shard ${{ matrix.shard }}", "name: audit shard ${{ matrixx.shard }}"),
      "unknown job": TEXT.replace("needs: audit", "needs: audits"),
      "bad cron": TEXT.replace(/cron: "[^"]+"/, 'cron: "61 4 * * *"'),
    };
    const results = workflowErrors([{ name: "fleet-audit.yml", content: TEXT }, ...Object.entries(broken).map(([name, content]) => ({ name, content }))]);
    expect(results[0]).toEqual({ name: "fleet-audit.yml", errors: [] });
    // the validator is not vacuous: each broken copy is refused
    for (const result of results.slice(1)) expect(result.errors, result.name).not.toEqual([]);
  });
});

describe("deploy/github-actions/fleet-audit.yml: the recipe", () => {
  it("runs on demand and on a schedule, with read-only repository access", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("the matrix is shards 1..N with N = FLEET_SHARDS, which the merge job uses too", () => {
    expect(Number.isInteger(SHARDS) && SHARDS >= 1).toBe(true);
    const audit = job("audit");
    expect(audit.strategy?.matrix).toEqual({ shard: shards });
    expect(audit.strategy?.["fail-fast"]).toBe(false);
    expect([job("merge").needs].flat()).toEqual(["audit"]);
    // N is the workflow's FLEET_SHARDS: no job or step sets its own
    for (const [name, entry] of Object.entries(workflow.jobs)) {
      expect(entry.env?.["FLEET_SHARDS"], name).toBeUndefined();
      for (const each of entry.steps) expect(each.env?.["FLEET_SHARDS"], `${name}: ${each.name}`).toBeUndefined();
    }
    expect(step("merge", "Merge and render").run).toMatch(/while \[ "\$i" -le "\$FLEET_SHARDS" \]/);
    expect(step("audit", "Audit shard ${{ matrix.shard }} of ${{ env.FLEET_SHARDS }}").run).toMatch(/--shard "\$SHARD\/\$FLEET_SHARDS"/);
  });

  it("pins every action by major version; artifacts with v4; Node 20; each job builds fleet with npm ci", () => {
    for (const [name, entry] of Object.entries(workflow.jobs)) {
      for (const each of entry.steps) if (each.uses !== undefined) expect(each.uses, name).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
      expect(usesStep(name, "actions/checkout")).toHaveLength(1);
      expect(usesStep(name, "actions/setup-node")[0]?.with?.["node-version"]).toBe(20);
      expect(step(name, "Build fleet").run).toMatch(/^npm ci .*&& npm run build$/m);
    }
    for (const each of [...usesStep("audit", "actions/upload-artifact"), ...usesStep("merge", "actions/upload-artifact"), ...usesStep("merge", "actions/download-artifact")]) expect(each.uses).toMatch(/@v4$/);
  });

  it("puts no ${{ }} in scripts (secrets and matrix values reach them through env only)", () => {
    for (const [name, entry] of Object.entries(workflow.jobs)) for (const each of entry.steps) if (each.run !== undefined) expect(each.run, `${name}: ${each.name}`).not.toMatch(/\$\{\{/);
    expect(TEXT.match(/\$\{\{\s*secrets\.\w+\s*\}\}/g)?.length).toBeGreaterThan(0);
    for (const line of TEXT.split("\n").filter((text) => /secrets\./.test(text))) expect(line).toMatch(/^\s+[A-Z_]+: \$\{\{ secrets\.[A-Z_]+ \}\}$/);
  });

  it("each shard's artifact is uploaded even after a failure, replaceable by a re-run, and downloaded by the merge job's pattern", () => {
    const [upload] = usesStep("audit", "actions/upload-artifact");
    expect(upload?.if).toBe("always()");
    expect(upload?.with?.["overwrite"]).toBe(true);
    const [download] = usesStep("merge", "actions/download-artifact");
    expect(download?.with).toMatchObject({ path: "reports", "merge-multiple": true });
    const pattern = globRegExp(String(download?.with?.["pattern"]));
    const names = shards.map((shard) => evaluate(String(upload?.with?.["name"]), { matrix: { shard: String(shard) } }));
    expect(new Set(names).size).toBe(SHARDS);
    for (const name of names) expect(name).toMatch(pattern);
    expect(evaluate("fleet-report", {})).not.toMatch(pattern); // the merged report's artifact is not taken for a shard's
  });

  it("the merge job uploads the merged JSON, HTML and Markdown, then fails unless compliant (the last step)", () => {
    const uploads = usesStep("merge", "actions/upload-artifact");
    expect(uploads).toHaveLength(1);
    expect(String(uploads[0]?.with?.["path"]).trim().split("\n")).toEqual(["reports/merged.json", "reports/report.html", "reports/summary.md"]);
    const steps = job("merge").steps;
    expect(steps.at(-1)?.run).toBe("node deploy/compliance-gate.mjs reports/merged.json");
    expect(steps.indexOf(uploads[0] as Step)).toBeLessThan(steps.length - 1);
  });
});

/** One shard job of the matrix, on its own runner (sandbox): the ssh step then the audit step. */
function shardJob(fleet: "stub" | "real", shard: number, extra: Record<string, string> = {}, context: Context = { secrets: SECRETS, vars: { FLEET_INVENTORY: "inventory.yml" } }): { sandbox: Sandbox; ssh: Run; audit: Run } {
  const sandbox = makeSandbox(fleet);
  const matrix = { shard: String(shard) };
  const ssh = runStep(sandbox, "audit", step("audit", "SSH key, known_hosts and ssh config"), { ...context, matrix });
  const audit = runStep(sandbox, "audit", step("audit", "Audit shard ${{ matrix.shard }} of ${{ env.FLEET_SHARDS }}"), { ...context, matrix }, extra);
  return { sandbox, ssh, audit };
}

/** The shard report that upload-artifact would take from this shard's runner. */
function uploadedReport(sandbox: Sandbox, shard: number): string {
  const [upload] = usesStep("audit", "actions/upload-artifact");
  return path.join(sandbox.dir, evaluate(String(upload?.with?.["path"]), { matrix: { shard: String(shard) } }));
}

describe("deploy/github-actions/fleet-audit.yml: the steps, run with a stub fleet", () => {
  it("writes the key, known_hosts and an ssh config from the secrets, mode 600, and the audit uses them", () => {
    const { sandbox, ssh, audit } = shardJob("stub", 1);
    expect(ssh.status, ssh.stderr).toBe(0);
    expect(ssh.stdout + ssh.stderr).not.toContain("not-a-real-key"); // nothing echoed
    const dir = path.join(sandbox.dir, "_runner_temp/fleet-ssh");
    expect(readFileSync(path.join(dir, "id"), "utf8")).toBe(`${SECRETS.FLEET_SSH_KEY}\n`);
    expect(readFileSync(path.join(dir, "known_hosts"), "utf8")).toBe(`${SECRETS.FLEET_KNOWN_HOSTS}\n`);
    expect(readFileSync(path.join(dir, "config"), "utf8")).toBe(`Host *\n  IdentityFile ${dir}/id\n  UserKnownHostsFile ${dir}/known_hosts\n  StrictHostKeyChecking yes\n`);
    for (const file of ["id", "known_hosts", "config"]) expect(statSync(path.join(dir, file)).mode & 0o777, file).toBe(0o600);
    expect(audit.status, audit.stderr).toBe(0);
    const [call] = sandbox.calls();
    expect(call?.argv[call.argv.indexOf("--ssh-config") + 1]).toBe(path.join(dir, "config"));
    const cleanup = runStep(sandbox, "audit", step("audit", "Remove the SSH key"), {});
    expect(cleanup.status).toBe(0);
    expect(() => statSync(dir)).toThrow();
  });

  it("stops with an error when a secret is not set", () => {
    const sandbox = makeSandbox("stub");
    const run = runStep(sandbox, "audit", step("audit", "SSH key, known_hosts and ssh config"), { secrets: { FLEET_SSH_KEY: SECRETS.FLEET_SSH_KEY } });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::set the repository secrets FLEET_SSH_KEY and FLEET_KNOWN_HOSTS/m);
  });

  it("shard k of the matrix audits shard k/N into the file its artifact uploads; empty optional secrets are not passed", () => {
    for (const shard of shards) {
      const { sandbox, audit } = shardJob("stub", shard);
      expect(audit.status, audit.stderr).toBe(0);
      const [call] = sandbox.calls();
      expect(call?.argv.slice(0, 4)).toEqual(["audit", "playbooks/baseline.yml", "-i", "inventory.yml"]);
      expect(call?.argv[call.argv.indexOf("--shard") + 1]).toBe(`${shard}/${SHARDS}`);
      expect(call?.argv[call.argv.indexOf("--host-key-checking") + 1]).toBe("strict");
      expect(path.join(sandbox.dir, call?.argv[call.argv.indexOf("--report") + 1] ?? "")).toBe(uploadedReport(sandbox, shard));
      expect(statSync(uploadedReport(sandbox, shard)).isFile()).toBe(true);
      expect(call).toMatchObject({ becomePassword: null, sshPassphrase: null });
    }
    const { sandbox } = shardJob("stub", 2, {}, { secrets: { ...SECRETS, FLEET_BECOME_PASSWORD: "sudo-secret" }, vars: { FLEET_INVENTORY: "inventory.yml" } });
    expect(sandbox.calls()[0]?.becomePassword).toBe("sudo-secret");
  });

  it("fleet 0, 2, 3 -> the shard job goes on (the merge judges); 1, 4, 5, 99 -> the shard job fails", () => {
    const outcome: Record<string, number | null> = {};
    for (const code of [0, 1, 2, 3, 4, 5, 99]) outcome[code] = shardJob("stub", 1, { STUB_EXIT: String(code) }).audit.status;
    expect(outcome).toEqual({ 0: 0, 1: 1, 2: 0, 3: 0, 4: 4, 5: 5, 99: 99 });
  });

  it("without the repository variable FLEET_INVENTORY the audit step stops with an error", () => {
    const { audit, sandbox } = shardJob("stub", 1, {}, { secrets: SECRETS, vars: {} });
    expect(audit.status).toBe(5);
    expect(audit.stdout).toMatch(/^::error::set the repository variable FLEET_INVENTORY/m);
    expect(sandbox.calls()).toEqual([]);
  });

  it("the merge job merges the downloaded shard-1..N, writes the step summary, and the gate decides", () => {
    const merge = makeSandbox("stub");
    mkdirSync(path.join(merge.dir, "reports"));
    for (const shard of shards) {
      const { sandbox } = shardJob("stub", shard);
      // download-artifact with merge-multiple: each artifact's single file lands in reports/
      const uploaded = uploadedReport(sandbox, shard);
      copyFileSync(uploaded, path.join(merge.dir, "reports", path.basename(uploaded)));
    }
    const run = runStep(merge, "merge", step("merge", "Merge and render"), {});
    expect(run.status, run.stderr).toBe(0);
    const reports = (file: string): string => `reports/${file}`;
    expect(merge.calls().map((call) => call.argv)).toEqual([
      ["report", "merge", ...shards.map((shard) => reports(`shard-${shard}.json`)), "-o", reports("merged.json")],
      ["report", "render", reports("merged.json"), "--format", "md", "-o", reports("summary.md")],
      ["report", "render", reports("merged.json"), "--format", "html", "-o", reports("report.html")],
    ]);
    expect(readFileSync(path.join(merge.dir, "_runner_temp/step-summary.md"), "utf8")).toBe("rendered md of reports/merged.json\n");
    const gate = job("merge").steps.at(-1) as Step;
    expect(runStep(merge, "merge", gate, {}).status).toBe(0);
    writeFileSync(path.join(merge.dir, "reports/merged.json"), JSON.stringify({ schema: "fleet-report/v1", summary: { hosts: 2, unreachable: 1, controls: { pass: 2, fail: 0, error: 0 } } }));
    const failing = runStep(merge, "merge", gate, {});
    expect(failing.status).toBe(2);
    expect(failing.stderr).toMatch(/NOT compliant.*1 host\(s\) unreachable/);
  });

  it("a summary over the job summary's 1 MiB limit is truncated with a note", () => {
    const merge = makeSandbox("stub");
    mkdirSync(path.join(merge.dir, "reports"));
    for (const shard of shards) writeFileSync(path.join(merge.dir, `reports/shard-${shard}.json`), "{}");
    const run = runStep(merge, "merge", step("merge", "Merge and render"), {}, { STUB_RENDER_BYTES: "1200000" });
    expect(run.status, run.stderr).toBe(0);
    const summary = readFileSync(path.join(merge.dir, "_runner_temp/step-summary.md"), "utf8");
    expect(summary.length).toBeLessThan(1024 * 1024);
    expect(summary).toMatch(/\*\*Truncated\*\*: the whole summary is summary\.md in the fleet-report artifact\.\n$/);
  });

  it("a missing shard report fails the merge step", () => {
    const merge = makeSandbox("stub");
    mkdirSync(path.join(merge.dir, "reports"));
    for (const shard of shards.slice(1)) writeFileSync(path.join(merge.dir, `reports/shard-${shard}.json`), "{}");
    expect(runStep(merge, "merge", step("merge", "Merge and render"), {}).status).toBe(4);
  });
});

describe("deploy/github-actions/fleet-audit.yml: the steps with the real fleet", () => {
  // As on GitHub: each shard job on its own runner (sandbox), the merge job on another one with
  // the artifacts downloaded. The hosts are ansible_connection=local and playbooks/baseline.yml is
  // a one-control playbook (support/fixtures.ts); host h3 fails it.
  it("N shard jobs succeed, the merge job writes the summary and fails the run as non-compliant", () => {
    const merge = makeSandbox("real");
    mkdirSync(path.join(merge.dir, "reports"));
    for (const shard of shards) {
      const sandbox = makeSandbox("real");
      mkdirSync(path.join(sandbox.dir, "playbooks"));
      writeFileSync(path.join(sandbox.dir, "playbooks/baseline.yml"), ONE_CONTROL_PLAYBOOK);
      writeFileSync(path.join(sandbox.dir, "inventory.yml"), LOCAL_INVENTORY);
      const matrix = { shard: String(shard) };
      const context = { secrets: SECRETS, vars: { FLEET_INVENTORY: "inventory.yml" }, matrix };
      expect(runStep(sandbox, "audit", step("audit", "SSH key, known_hosts and ssh config"), context).status).toBe(0);
      const audit = runStep(sandbox, "audit", step("audit", "Audit shard ${{ matrix.shard }} of ${{ env.FLEET_SHARDS }}"), context);
      expect(audit.status, audit.stderr).toBe(0);
      const uploaded = uploadedReport(sandbox, shard);
      copyFileSync(uploaded, path.join(merge.dir, "reports", path.basename(uploaded)));
    }
    const run = runStep(merge, "merge", step("merge", "Merge and render"), {});
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(path.join(merge.dir, "_runner_temp/step-summary.md"), "utf8")).toMatch(/TEST-01/);
    expect(readFileSync(path.join(merge.dir, "reports/report.html"), "utf8")).toMatch(/^<!DOCTYPE html>/i);
    const gate = runStep(merge, "merge", job("merge").steps.at(-1) as Step, {});
    expect(gate.stderr).toMatch(/compliance-gate: NOT compliant \(6 host\(s\).*1 control result\(s\) failed/);
    expect(gate.status).toBe(2);
  }, 180_000);
});
