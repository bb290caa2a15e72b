/** Provisioning of the LXD daemons inside testbed hosts: storage, instances, the cluster. */
import { LXD_HTTPS_PORT, type TestbedHost } from "./layout.js";
import { runInHost } from "./run.js";

/** Runs `lxc ARGS` on a host and returns its stdout. */
export async function lxc(pid: number, args: readonly string[], input?: string): Promise<string> {
  const { stdout } = await runInHost(pid, ["lxc", ...args], input === undefined ? {} : { input });
  return stdout;
}

export async function waitForLxd(pid: number): Promise<void> {
  await runInHost(pid, ["lxd", "waitready", "--timeout=90"], { timeoutMs: 100_000 });
}

/** Instances every host gets (no image server is reachable, so they are created empty). */
const INSTANCES: readonly { name: string; config: Record<string, string> }[] = [
  { name: "c1", config: {} },
  { name: "c2", config: { "security.privileged": "true" } },
];

async function hasStoragePool(pid: number): Promise<boolean> {
  const pools = await lxc(pid, ["storage", "list", "--format", "csv"]);
  return pools.split("\n").some((line) => line.startsWith("default,"));
}

async function instanceNames(pid: number): Promise<Set<string>> {
  const names = await lxc(pid, ["list", "--format", "csv", "--columns", "n"]);
  return new Set(names.split("\n").filter((line) => line.length > 0));
}

async function ensureRootDisk(pid: number): Promise<void> {
  const profile = await lxc(pid, ["profile", "show", "default"]);
  if (!/^\s+root:\s*$/m.test(profile)) {
    await lxc(pid, ["profile", "device", "add", "default", "root", "disk", "path=/", "pool=default"]);
  }
}

async function ensureInstances(pid: number, targets: readonly string[]): Promise<void> {
  const existing = await instanceNames(pid);
  for (const [index, instance] of INSTANCES.entries()) {
    if (existing.has(instance.name)) continue;
    const args = ["init", "--empty", instance.name];
    for (const [key, value] of Object.entries(instance.config)) args.push("--config", `${key}=${value}`);
    const target = targets[index % Math.max(targets.length, 1)];
    if (target !== undefined) args.push("--target", target);
    await lxc(pid, args);
  }
}

/** A standalone server: a `dir` pool, a root disk in the default profile, a few empty instances. */
export async function provisionStandalone(pid: number): Promise<void> {
  await waitForLxd(pid);
  if (!(await hasStoragePool(pid))) await lxc(pid, ["storage", "create", "default", "dir"]);
  await ensureRootDisk(pid);
  await ensureInstances(pid, []);
}

export interface ClusterMember {
  host: TestbedHost;
  pid: number;
}

/** Members and their status as `lxc cluster list` reports them, or an empty map when not clustered. */
export async function clusterStatus(pid: number): Promise<Map<string, string>> {
  const members = new Map<string, string>();
  let csv: string;
  try {
    csv = await lxc(pid, ["cluster", "list", "--format", "csv"]);
  } catch {
    return members; // "LXD server isn't part of a cluster"
  }
  for (const line of csv.split("\n")) {
    const fields = line.split(",");
    const name = fields[0];
    const status = fields.find((field) => ["ONLINE", "OFFLINE", "EVACUATED", "BLOCKED"].includes(field));
    if (name && status) members.set(name, status);
  }
  return members;
}

export async function clusterIsHealthy(members: readonly ClusterMember[]): Promise<boolean> {
  const first = members[0];
  if (first === undefined) return true;
  const status = await clusterStatus(first.pid);
  return members.every(({ host }) => status.get(host.name) === "ONLINE") && status.size === members.length;
}

/**
 * Forms a cluster as an operator would: enable clustering on the first member, then for each
 * other member issue a join token on the first and join with `lxd init --preseed`.
 */
export async function formCluster(members: readonly ClusterMember[], log: (line: string) => void): Promise<void> {
  const [first, ...others] = members;
  if (first === undefined) return;
  for (const member of members) await waitForLxd(member.pid);
  await lxc(first.pid, ["config", "set", "core.https_address", `${first.host.address}:${LXD_HTTPS_PORT}`]);
  await lxc(first.pid, ["cluster", "enable", first.host.name]);
  for (const member of others) {
    const token = (await lxc(first.pid, ["cluster", "add", member.host.name, "--quiet"])).trim();
    const preseed = [
      "cluster:",
      "  enabled: true",
      `  server_name: ${member.host.name}`,
      `  server_address: ${member.host.address}:${LXD_HTTPS_PORT}`,
      `  cluster_token: ${token}`,
      "",
    ].join("\n");
    await runInHost(member.pid, ["lxd", "init", "--preseed"], { input: preseed, timeoutMs: 120_000 });
    log(`  ${member.host.name} joined the cluster`);
  }
  const names = members.map(({ host }) => host.name);
  if (!(await hasStoragePool(first.pid))) {
    for (const name of names) await lxc(first.pid, ["storage", "create", "default", "dir", "--target", name]);
    await lxc(first.pid, ["storage", "create", "default", "dir"]);
  }
  await ensureRootDisk(first.pid);
  await ensureInstances(first.pid, names);
}
