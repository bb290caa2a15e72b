// deploy/kubernetes: every manifest against the Kubernetes API schema (kubernetes-models, offline),
// then what no schema can see: the shard arithmetic, the wiring between objects, the exit-code
// policy, and the containers' own scripts run against a stub fleet and against the real fleet.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IVolume } from "kubernetes-models/v1/Volume";
import { parseAllDocuments } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { KUBERNETES_MODELS_VERSION, kubernetesProblems } from "./support/kubernetes-schema.js";
import { LOCAL_INVENTORY, ONE_CONTROL_PLAYBOOK } from "./support/fixtures.js";
import { makeSandbox, removeSandboxes, REPO, runAndSignal, runIn, type Sandbox } from "./support/sandbox.js";

afterEach(removeSandboxes);

const DIR = path.join(REPO, "deploy/kubernetes");

interface Manifest {
  file: string;
  object: Record<string, unknown>;
}

/** Every document of every YAML file, read as kubectl reads it: YAML 1.1 (0440 is octal). */
function loadManifests(): Manifest[] {
  const manifests: Manifest[] = [];
  for (const file of readdirSync(DIR).filter((name) => /\.ya?ml$/.test(name)).sort()) {
    for (const document of parseAllDocuments(readFileSync(path.join(DIR, file), "utf8"), { version: "1.1" })) {
      if (document.errors.length > 0 || document.warnings.length > 0) throw new Error(`${file}: ${[...document.errors, ...document.warnings].map((problem) => problem.message).join("; ")}`);
      const object: unknown = document.toJS();
      if (typeof object !== "object" || object === null || Array.isArray(object)) throw new Error(`${file}: a document that is not a mapping`);
      manifests.push({ file, object: object as Record<string, unknown> });
    }
  }
  return manifests;
}

const manifests = loadManifests();

function find<T>(kind: string, name: string): T {
  const found = manifests.filter(({ object }) => object["kind"] === kind && (object["metadata"] as { name?: unknown } | undefined)?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name} in deploy/kubernetes, found ${found.length}`);
  return found[0]?.object as T; // checked against the schema in the first test
}

const auditJob = find<IJob>("Job", "fleet-audit");
const mergeJob = find<IJob>("Job", "fleet-audit-merge");
const sshConfigMap = find<IConfigMap>("ConfigMap", "fleet-ssh-config");
const reportsClaim = find<IPersistentVolumeClaim>("PersistentVolumeClaim", "fleet-reports");
const reader = find<IPod>("Pod", "fleet-reports-reader");

function podSpec(job: IJob) {
  const spec = job.spec?.template.spec;
  if (spec === undefined) throw new Error(`${job.metadata?.name}: no pod spec`);
  return spec;
}

function onlyContainer(job: IJob): IContainer {
  const containers = podSpec(job).containers;
  expect(containers, `${job.metadata?.name} has one container`).toHaveLength(1);
  const [container] = containers;
  if (container === undefined) throw new Error("no container");
  return container;
}

function envValue(container: IContainer, name: string): string {
  const value = container.env?.find((entry) => entry.name === name)?.value;
  if (value === undefined) throw new Error(`${container.name}: no env ${name} with a value`);
  return value;
}

function script(container: IContainer): string {
  expect(container.command).toEqual(["/bin/sh", "-c"]);
  const [text, ...rest] = container.args ?? [];
  expect(rest).toEqual([]);
  if (text === undefined) throw new Error(`${container.name}: no script`);
  return text;
}

function volume(job: IJob, name: string): IVolume {
  const found = podSpec(job).volumes?.find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`${job.metadata?.name}: no volume ${name}`);
  return found;
}

function mountPath(job: IJob, volumeName: string): string {
  const found = onlyContainer(job).volumeMounts?.find((mount) => mount.name === volumeName);
  if (found === undefined) throw new Error(`${job.metadata?.name}: volume ${volumeName} is not mounted`);
  return found.mountPath;
}

const audit = onlyContainer(auditJob);
const merge = onlyContainer(mergeJob);
const SHARDS = Number(envValue(audit, "FLEET_SHARDS"));

describe("deploy/kubernetes: the Kubernetes API schema", () => {
  it(`every object is valid against Kubernetes 1.33 (kubernetes-models ${KUBERNETES_MODELS_VERSION}), with no unknown field`, async () => {
    expect(manifests.map(({ file, object }) => `${file}: ${String(object["kind"])}`)).toEqual([
      "audit-job.yaml: Job",
      "merge-job.yaml: Job",
      "reports-pvc.yaml: PersistentVolumeClaim",
      "reports-reader.yaml: Pod",
      "ssh-config.yaml: ConfigMap",
    ]);
    for (const { file, object } of manifests) expect(await kubernetesProblems(object), file).toEqual([]);
  });

  it("the check is not vacuous: it catches a misspelt field, a wrong enum, a wrong type, a missing required field", async () => {
    const broken = (change: (job: IJob & Record<string, unknown>) => void): IJob => {
      const copy = structuredClone(auditJob) as IJob & Record<string, unknown>;
      change(copy);
      return copy;
    };
    const cases: [string, IJob, RegExp][] = [
      ["misspelt field", broken((job) => Object.assign(job.spec ?? {}, { backoffLimitPerIdex: 2 })), /unknown field spec\.backoffLimitPerIdex/],
      ["misspelt nested field", broken((job) => Object.assign(podSpec(job).containers[0]?.securityContext ?? {}, { readOnlyRootFileSystem: true })), /unknown field spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFileSystem/],
      ["wrong enum", broken((job) => Object.assign(job.spec ?? {}, { completionMode: "indexed" })), /completionMode must be equal to one of the allowed values/],
      ["wrong type", broken((job) => Object.assign(job.spec ?? {}, { completions: "4" })), /completions must be integer/],
      ["mode as a string", broken((job) => Object.assign(volume(job, "ssh").secret ?? {}, { defaultMode: "0440" })), /defaultMode must be integer/],
      ["missing required", broken((job) => Object.assign(podSpec(job).containers[0] ?? {}, { name: undefined })), /must have required property 'name'|must have required property name/],
    ];
    for (const [label, job, problem] of cases) expect((await kubernetesProblems(job)).join("\n"), label).toMatch(problem);
  });
});

describe("deploy/kubernetes: the audit Job", () => {
  const spec = auditJob.spec;

  it("is an Indexed Job of N completions, N = FLEET_SHARDS of both Jobs, parallelism at most N", () => {
    expect(spec?.completionMode).toBe("Indexed");
    expect(Number.isInteger(SHARDS) && SHARDS >= 1).toBe(true);
    expect(spec?.completions).toBe(SHARDS);
    expect(envValue(merge, "FLEET_SHARDS")).toBe(String(SHARDS));
    expect(spec?.parallelism).toBeGreaterThanOrEqual(1);
    expect(spec?.parallelism).toBeLessThanOrEqual(SHARDS);
  });

  it("computes the shard as JOB_COMPLETION_INDEX + 1 of FLEET_SHARDS and hands the command to the wrapper with exec", () => {
    const text = script(audit);
    expect(text).toMatch(/^shard=\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)$/m);
    expect(text).toMatch(/--shard "\$shard\/\$FLEET_SHARDS"/);
    expect(text).toMatch(/--report "\$FLEET_REPORT_DIR\/shard-\$shard\.json"/);
    expect(text).toMatch(/--host-key-checking strict/);
    expect(text).toMatch(/^exec sh deploy\/shard-audit\.sh node dist\/cli\/main\.js audit playbooks\/baseline\.yml /m);
  });

  it("follows the API's rules that the schema does not encode (backoffLimitPerIndex, podFailurePolicy, podReplacementPolicy)", () => {
    // backoffLimitPerIndex: only for Indexed Jobs with restartPolicy Never; FailIndex needs it.
    // podFailurePolicy: restartPolicy Never; podReplacementPolicy then may only be Failed.
    expect(spec?.backoffLimitPerIndex).toBeGreaterThanOrEqual(1);
    expect(spec?.backoffLimit).toBeUndefined(); // defaults to "no overall limit" with backoffLimitPerIndex
    expect(podSpec(auditJob).restartPolicy).toBe("Never");
    expect(spec?.podReplacementPolicy).toBe("Failed");
    for (const job of [auditJob, mergeJob]) {
      expect(podSpec(job).restartPolicy).toBe("Never");
      for (const rule of job.spec?.podFailurePolicy?.rules ?? []) {
        if (rule.onExitCodes !== undefined) {
          expect(rule.onExitCodes.containerName).toBe(onlyContainer(job).name);
          expect(rule.onExitCodes.values).not.toContain(0); // the API refuses 0 with operator In
        }
      }
    }
  });

  it("has TTL, deadline, requests and limits on both Jobs", () => {
    for (const job of [auditJob, mergeJob]) {
      expect(job.spec?.ttlSecondsAfterFinished).toBeGreaterThan(0);
      expect(job.spec?.activeDeadlineSeconds).toBeGreaterThan(0);
      const resources = onlyContainer(job).resources;
      expect(Object.keys(resources?.requests ?? {}).sort()).toEqual(["cpu", "memory"]);
      expect(Object.keys(resources?.limits ?? {}).sort()).toEqual(["cpu", "memory"]);
    }
  });

  it("runs non-root, read-only, without privilege escalation or capabilities, without a service account token", () => {
    for (const job of [auditJob, mergeJob]) {
      expect(podSpec(job).securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
      expect(onlyContainer(job).securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      expect(onlyContainer(job).workingDir).toBe("/app");
    }
    // the image's user (deploy/container/Dockerfile) is the pods' user
    expect(readFileSync(path.join(REPO, "deploy/container/Dockerfile"), "utf8")).toMatch(/^USER 1000:1000$/m);
  });
});

describe("deploy/kubernetes: every pod", () => {
  const pods: [string, IPodSpec][] = [
    ["fleet-audit", podSpec(auditJob)],
    ["fleet-audit-merge", podSpec(mergeJob)],
    ["fleet-reports-reader", reader.spec as IPodSpec],
  ];

  it.each(pods)("%s meets the Pod Security Standard 'restricted' and mounts no service account token", (_, pod) => {
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).not.toBe(0);
    expect(pod.securityContext?.seccompProfile?.type).toBe("RuntimeDefault");
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.hostIPC ?? false).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const entry of pod.volumes ?? []) {
      const types = Object.keys(entry).filter((key) => key !== "name");
      expect(types.every((type) => ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"].includes(type)), types.join()).toBe(true);
    }
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      expect(container.securityContext?.privileged ?? false).toBe(false);
      expect(container.securityContext?.capabilities?.add ?? []).toEqual([]);
      expect(container.securityContext?.runAsUser ?? 1000).not.toBe(0);
      expect(container.image).toBe(audit.image);
      expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(["cpu", "memory"]);
    }
  });

  it("the reader mounts the reports claim read-only", () => {
    const [container] = reader.spec?.containers ?? [];
    expect(reader.spec?.volumes).toEqual([{ name: "reports", persistentVolumeClaim: { claimName: reportsClaim.metadata?.name, readOnly: true } }]);
    expect(container?.volumeMounts).toEqual([{ name: "reports", mountPath: envValue(audit, "FLEET_REPORT_DIR"), readOnly: true }]);
  });
});

describe("deploy/kubernetes: volumes and paths fit together", () => {
  it("every mount has its volume and every volume is mounted; only the reports and /tmp are writable", () => {
    for (const job of [auditJob, mergeJob]) {
      const mounts = onlyContainer(job).volumeMounts ?? [];
      const volumes = podSpec(job).volumes ?? [];
      expect(mounts.map((mount) => mount.name).sort()).toEqual(volumes.map((entry) => entry.name).sort());
      for (const mount of mounts) expect(mount.readOnly === true, `${job.metadata?.name} ${mount.name}`).toBe(!["reports", "tmp"].includes(mount.name));
    }
  });

  it("the SSH Secret: key 0440 (group = fsGroup), known_hosts 0444, both read-only", () => {
    const secret = volume(auditJob, "ssh").secret;
    expect(secret?.secretName).toBe("fleet-ssh");
    expect(secret?.defaultMode).toBe(0o440);
    expect(secret?.items).toEqual([
      { key: "ssh-privatekey", path: "id", mode: 0o440 },
      { key: "known_hosts", path: "known_hosts", mode: 0o444 },
    ]);
  });

  it("the ssh config of the ConfigMap points at the mounted key and known_hosts, and is what --ssh-config reads", () => {
    const config = sshConfigMap.data?.["config"] ?? "";
    const sshDir = mountPath(auditJob, "ssh");
    expect(config).toMatch(new RegExp(`^\\s+IdentityFile ${sshDir}/id$`, "m"));
    expect(config).toMatch(new RegExp(`^\\s+UserKnownHostsFile ${sshDir}/known_hosts$`, "m"));
    expect(config).toMatch(/^\s+StrictHostKeyChecking yes$/m);
    expect(volume(auditJob, "ssh-config").configMap?.name).toBe(sshConfigMap.metadata?.name);
    expect(script(audit)).toContain(`--ssh-config ${mountPath(auditJob, "ssh-config")}/config`);
    expect(script(audit)).toContain(`-i ${mountPath(auditJob, "inventory")}/inventory.yml`);
    expect(volume(auditJob, "inventory").configMap?.name).toBe("fleet-inventory");
  });

  it("both Jobs write to FLEET_REPORT_DIR, the mount of the one ReadWriteMany claim", () => {
    expect(reportsClaim.spec?.accessModes).toEqual(["ReadWriteMany"]);
    for (const job of [auditJob, mergeJob]) {
      expect(volume(job, "reports").persistentVolumeClaim?.claimName).toBe(reportsClaim.metadata?.name);
      expect(envValue(onlyContainer(job), "FLEET_REPORT_DIR")).toBe(mountPath(job, "reports"));
    }
  });

  it("the optional secrets come from the Secret, optional", () => {
    for (const name of ["FLEET_BECOME_PASSWORD", "FLEET_SSH_PASSPHRASE"]) {
      const ref = audit.env?.find((entry) => entry.name === name)?.valueFrom?.secretKeyRef;
      expect(ref).toMatchObject({ name: "fleet-ssh", optional: true });
    }
  });
});

/** What the Job controller does with a pod that ended with `code`, by the Job's podFailurePolicy. */
function jobControllerVerdict(job: IJob, code: number): "succeeded" | "retried" | "index failed" | "job failed" {
  if (code === 0) return "succeeded";
  for (const rule of job.spec?.podFailurePolicy?.rules ?? []) {
    const codes = rule.onExitCodes;
    if (codes === undefined) continue;
    if (codes.operator === "In" ? codes.values.includes(code) : !codes.values.includes(code)) {
      if (rule.action === "FailIndex") return "index failed";
      if (rule.action === "FailJob") return "job failed";
      if (rule.action === "Ignore" || rule.action === "Count") return "retried";
    }
  }
  return "retried";
}

/** The container's env as the kubelet sets it (values only; optional secret keys absent), plus overrides. */
function containerEnv(sandbox: Sandbox, container: IContainer, overrides: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) if (entry.value !== undefined) env[entry.name] = entry.value;
  return sandbox.env({ ...env, FLEET_REPORT_DIR: path.join(sandbox.dir, "reports"), ...overrides });
}

const argvOf = (container: IContainer, text = script(container)): string[] => [...(container.command ?? []), text];

describe("deploy/kubernetes: the containers' scripts, run with a stub fleet", () => {
  it("index 0..N-1 audits shard 1..N of N, each to its own report, through the wrapper", () => {
    const sandbox = makeSandbox("stub");
    mkdirSync(path.join(sandbox.dir, "reports"));
    for (let index = 0; index < SHARDS; index++) {
      const run = runIn(sandbox, argvOf(audit), containerEnv(sandbox, audit, { JOB_COMPLETION_INDEX: String(index) }));
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/shard-audit: fleet exited 0/);
    }
    const calls = sandbox.calls();
    expect(calls.map((call) => call.argv[call.argv.indexOf("--shard") + 1])).toEqual(Array.from({ length: SHARDS }, (_, index) => `${index + 1}/${SHARDS}`));
    expect(calls.map((call) => call.argv[call.argv.indexOf("--report") + 1])).toEqual(Array.from({ length: SHARDS }, (_, index) => path.join(sandbox.dir, `reports/shard-${index + 1}.json`)));
    for (const call of calls) {
      expect(call.argv.slice(0, 2)).toEqual(["audit", "playbooks/baseline.yml"]);
      expect(call.argv[call.argv.indexOf("--host-key-checking") + 1]).toBe("strict");
      expect(call).toMatchObject({ cwd: sandbox.dir, becomePassword: null, sshPassphrase: null });
    }
  });

  it("fleet 0, 2, 3 -> the pod succeeds; 4, 5 -> the index fails at once; 1, 99 -> the index is retried", () => {
    const sandbox = makeSandbox("stub");
    const verdicts: Record<string, string> = {};
    for (const code of [0, 1, 2, 3, 4, 5, 99]) {
      const run = runIn(sandbox, argvOf(audit), containerEnv(sandbox, audit, { JOB_COMPLETION_INDEX: "1", STUB_EXIT: String(code) }));
      verdicts[code] = jobControllerVerdict(auditJob, run.status ?? -1);
    }
    expect(verdicts).toEqual({ 0: "succeeded", 1: "retried", 2: "succeeded", 3: "succeeded", 4: "index failed", 5: "index failed", 99: "retried" });
    // and the policies name exactly the codes that mean "a retry gives the same answer"
    const exitCodeRules = (job: IJob) => (job.spec?.podFailurePolicy?.rules ?? []).filter((rule) => rule.onExitCodes !== undefined).map((rule) => [rule.action, rule.onExitCodes?.operator, rule.onExitCodes?.values]);
    expect(exitCodeRules(auditJob)).toEqual([["FailIndex", "In", [4, 5]]]);
    expect(exitCodeRules(mergeJob)).toEqual([["FailJob", "In", [2, 4, 5]]]);
    const missing = runIn(sandbox, argvOf(audit), containerEnv(sandbox, audit, { JOB_COMPLETION_INDEX: "1", STUB_EXIT: "2", STUB_REPORT: "none" }));
    expect(jobControllerVerdict(auditJob, missing.status ?? -1)).toBe("retried");
  });

  it("SIGTERM to the pod (eviction, deletion) reaches fleet: the script execs the wrapper, which passes it on", async () => {
    const sandbox = makeSandbox("stub");
    const ready = path.join(sandbox.dir, "ready");
    const run = await runAndSignal(sandbox, argvOf(audit), containerEnv(sandbox, audit, { JOB_COMPLETION_INDEX: "0", STUB_HANG: "1", STUB_READY: ready }), ready, "SIGTERM");
    expect(run.status, run.stderr).toBe(99);
    expect(jobControllerVerdict(auditJob, 99)).toBe("retried");
  });

  it("the merge script merges exactly shard-1..N in order, renders Markdown and HTML, and the gate decides", () => {
    const sandbox = makeSandbox("stub");
    const reports = path.join(sandbox.dir, "reports");
    mkdirSync(reports);
    for (let shard = 1; shard <= SHARDS; shard++) writeFileSync(path.join(reports, `shard-${shard}.json`), "{}");
    const compliant = runIn(sandbox, argvOf(merge), containerEnv(sandbox, merge, {}));
    expect(compliant.status, compliant.stderr).toBe(0);
    expect(compliant.stdout).toMatch(/rendered md of .*merged\.json[\s\S]*compliance-gate: compliant/);
    const [mergeCall, md, html] = sandbox.calls();
    expect(mergeCall?.argv).toEqual(["report", "merge", ...Array.from({ length: SHARDS }, (_, index) => path.join(reports, `shard-${index + 1}.json`)), "-o", path.join(reports, "merged.json")]);
    expect(md?.argv).toEqual(["report", "render", path.join(reports, "merged.json"), "--format", "md", "-o", path.join(reports, "summary.md")]);
    expect(html?.argv).toEqual(["report", "render", path.join(reports, "merged.json"), "--format", "html", "-o", path.join(reports, "report.html")]);
    expect(jobControllerVerdict(mergeJob, 0)).toBe("succeeded");

    const failing = JSON.stringify({ hosts: 3, unreachable: 1, controls: { pass: 2, fail: 1, error: 0, waived: 0, not_applicable: 0 }, score: 66.7 });
    const nonCompliant = runIn(sandbox, argvOf(merge), containerEnv(sandbox, merge, { STUB_SUMMARY: failing }));
    expect(nonCompliant.status).toBe(2);
    expect(nonCompliant.stderr).toMatch(/NOT compliant/);
    expect(jobControllerVerdict(mergeJob, 2)).toBe("job failed");
  });

  it("a missing shard report fails the merge Job without retries", () => {
    const sandbox = makeSandbox("stub");
    const reports = path.join(sandbox.dir, "reports");
    mkdirSync(reports);
    for (let shard = 2; shard <= SHARDS; shard++) writeFileSync(path.join(reports, `shard-${shard}.json`), "{}");
    const run = runIn(sandbox, argvOf(merge), containerEnv(sandbox, merge, {}));
    expect(run.status).toBe(4); // the stub's REPORT_NOT_FOUND, as fleet's
    expect(jobControllerVerdict(mergeJob, 4)).toBe("job failed");
    expect(jobControllerVerdict(mergeJob, 5)).toBe("job failed"); // fleet: a shard missing or given twice
    expect(jobControllerVerdict(mergeJob, 1)).toBe("retried");
  });
});

describe("deploy/kubernetes: both Jobs' scripts with the real fleet", () => {
  // The Jobs' scripts run unchanged except for the root of the mounts (/etc/fleet -> the sandbox),
  // with the ConfigMap's ssh config as the file --ssh-config reads. playbooks/baseline.yml is a
  // one-control playbook here and the hosts are ansible_connection=local (no SSH in unit tests);
  // one host fails the control. Cluster members c1/c2 stay in one shard.
  it("N shard pods write N reports, the merge pod merges them and fails the fleet as non-compliant", () => {
    const sandbox = makeSandbox("real");
    const root = path.join(sandbox.dir, "etc/fleet");
    const local = (text: string): string => text.replaceAll("/etc/fleet/", `${root}/`);
    for (const sub of ["ssh", "ssh-config", "inventory", "../../playbooks", "../../reports"]) mkdirSync(path.join(root, sub), { recursive: true });
    writeFileSync(path.join(root, "ssh-config/config"), local(sshConfigMap.data?.["config"] ?? ""));
    writeFileSync(path.join(root, "ssh/known_hosts"), "");
    writeFileSync(path.join(root, "inventory/inventory.yml"), LOCAL_INVENTORY);
    writeFileSync(path.join(sandbox.dir, "playbooks/baseline.yml"), ONE_CONTROL_PLAYBOOK);

    for (let index = 0; index < SHARDS; index++) {
      const run = runIn(sandbox, argvOf(audit, local(script(audit))), containerEnv(sandbox, audit, { JOB_COMPLETION_INDEX: String(index) }), 120_000);
      expect(run.status, run.stderr).toBe(0);
    }
    const run = runIn(sandbox, argvOf(merge), containerEnv(sandbox, merge, {}), 120_000);
    expect(run.stderr).toMatch(/compliance-gate: NOT compliant \(6 host\(s\).*1 control result\(s\) failed/);
    expect(run.status).toBe(2);
    expect(jobControllerVerdict(mergeJob, 2)).toBe("job failed");
    const merged = JSON.parse(readFileSync(path.join(sandbox.dir, "reports/merged.json"), "utf8")) as { hosts: { name: string; cluster: string | null }[] };
    expect(merged.hosts.map((host) => host.name).sort()).toEqual(["c1", "c2", "h1", "h2", "h3", "h4"]);
    expect(readFileSync(path.join(sandbox.dir, "reports/report.html"), "utf8")).toMatch(/^<!DOCTYPE html>/i);
    expect(readFileSync(path.join(sandbox.dir, "reports/summary.md"), "utf8")).toMatch(/TEST-01/);
    expect(run.stdout).toMatch(/TEST-01/); // the summary is in the pod's log
  }, 180_000);
});
