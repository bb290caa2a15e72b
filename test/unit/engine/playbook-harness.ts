/**
 * Runs the engine for real on this machine: every inventory host is ansible_connection=local
 * with its own temporary directory (the var `root`), and two small modules stand in for the real
 * ones, so engine behaviour (round trips, prediction, verification, claims) is tested on real
 * shell execution without SSH.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { runPlaybook } from "../../../src/engine/run-playbook.js";
import type { HostResult, TaskResult } from "../../../src/engine/results.js";
import { fileContent } from "../../../src/facts/file.js";
import { fact } from "../../../src/facts/types.js";
import { loadInventory } from "../../../src/inventory/load.js";
import type { InventoryHost, Vars } from "../../../src/inventory/types.js";
import { atomicWriteScript } from "../../../src/modules/support/atomic-write.js";
import type { Module } from "../../../src/modules/types.js";
import { parseExpression } from "../../../src/playbook/expression/index.js";
import type { Control, Play, Playbook, Task } from "../../../src/playbook/types.js";
import { LocalTransport } from "../../../src/transport/local.js";
import { TrackingTransport } from "../../../src/transport/tracking.js";
import type { Transport } from "../../../src/transport/types.js";

const contentArgs = z.object({ path: z.string(), text: z.string() }).strict();
/** Keeps a file's whole text: the smallest verifiable module. */
export const contentModule: Module<z.infer<typeof contentArgs>> = {
  name: "content",
  description: "file text",
  args: contentArgs,
  verifiable: true,
  facts: (args) => [fact(fileContent, args.path)],
  plan: (args, facts) => {
    const now = facts.get(fact(fileContent, args.path));
    if (now.state === "file" && now.content === args.text) return { kind: "ok", reason: `${args.path} has the text` };
    return {
      kind: "change",
      summary: `write ${args.path}`,
      diff: { before: now.state === "file" ? now.content : "", after: args.text },
      commands: [{ script: atomicWriteScript({ path: args.path, content: args.text }), description: `write ${args.path}` }],
      effects: [{ request: fact(fileContent, args.path), value: { state: "file", content: args.text } }],
      expected: args.text,
      actual: now.state === "file" ? now.content : "(absent)",
    };
  },
};

const runArgs = z.object({ cmd: z.string() }).strict();
/** A shell command: an action, read-only under changed_when: false. */
export const runModule: Module<z.infer<typeof runArgs>> = {
  name: "run",
  description: "shell",
  args: runArgs,
  freeForm: "cmd",
  verifiable: false,
  facts: () => [],
  plan: (args) => ({ kind: "change", summary: `run ${args.cmd}`, diff: null, commands: [{ script: args.cmd, description: args.cmd }], effects: [] }),
  readOnlyScript: (args) => args.cmd,
};

const neverArgs = z.object({}).strict();
/** A module whose change never takes: what verification must catch. */
export const neverModule: Module<z.infer<typeof neverArgs>> = {
  name: "never",
  description: "a change that does not hold",
  args: neverArgs,
  verifiable: true,
  facts: () => [],
  plan: () => ({ kind: "change", summary: "set the unsettable", diff: null, commands: [{ script: "true", description: "nothing" }], effects: [] }),
};

/** A module whose state cannot be read: the check itself fails. */
export const unreadableModule: Module<z.infer<typeof neverArgs>> = {
  name: "unreadable",
  description: "a state that cannot be read",
  args: neverArgs,
  verifiable: true,
  facts: () => [],
  plan: () => ({ kind: "error", message: "the daemon does not answer" }),
};

export const registry = new Map<string, Module<unknown>>([
  ["never", neverModule as unknown as Module<unknown>],
  ["unreadable", unreadableModule as unknown as Module<unknown>],
  ["content", contentModule as unknown as Module<unknown>],
  ["run", runModule as unknown as Module<unknown>],
]);

export interface TaskSpec {
  name?: string;
  module: "content" | "run" | "never" | "unreadable";
  args: Record<string, unknown>;
  when?: string[];
  register?: string;
  notify?: string[];
  changedWhen?: boolean | string[];
  failedWhen?: boolean | string[];
  ignoreErrors?: boolean;
  scope?: "host" | "cluster";
  runOnce?: boolean;
  control?: string;
  checkMode?: boolean;
}

export function task(spec: TaskSpec, index: number): Task {
  const rule = (value: boolean | string[] | undefined): boolean | ReturnType<typeof parseExpression>[] | undefined => (Array.isArray(value) ? value.map(parseExpression) : value);
  const control: Control | null = spec.control ? { id: spec.control, title: spec.control, severity: "medium", scope: "host" } : null;
  return {
    index,
    name: spec.name ?? `task ${index}`,
    module: spec.module,
    args: spec.args,
    control,
    tags: [],
    when: (spec.when ?? []).map(parseExpression),
    notify: spec.notify ?? [],
    become: undefined,
    becomeUser: undefined,
    scope: spec.scope ?? "host",
    runOnce: spec.runOnce ?? false,
    checkMode: spec.checkMode,
    changedWhen: rule(spec.changedWhen),
    failedWhen: rule(spec.failedWhen),
    ignoreErrors: spec.ignoreErrors ?? false,
    register: spec.register,
    timeoutSeconds: undefined,
    noLog: false,
    location: { file: "test.yml", line: index + 1 },
    argLocations: {},
  };
}

export function playbookOf(tasks: TaskSpec[], options: { handlers?: TaskSpec[]; serial?: Play["serial"]; anyErrorsFatal?: boolean; hosts?: string } = {}): Playbook {
  return {
    file: "test.yml",
    path: "/nonexistent/test.yml",
    baseDir: "/nonexistent",
    plays: [
      {
        name: "test play",
        hosts: options.hosts ?? "all",
        become: undefined,
        becomeUser: undefined,
        defaults: {},
        vars: {},
        varsFiles: [],
        serial: options.serial,
        maxFailPercentage: undefined,
        anyErrorsFatal: options.anyErrorsFatal ?? false,
        secretVars: [],
        tasks: tasks.map(task),
        handlers: (options.handlers ?? []).map((spec, index) => task(spec, index)),
        location: { file: "test.yml", line: 1 },
      },
    ],
  };
}

/** `{{ name }}` and `{{ a.b }}` replaced from the scope: enough templating for engine tests. */
export function renderForTest(value: unknown, scope: object): unknown {
  if (typeof value === "string") {
    return value.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_all, name: string) => {
      let current: unknown = scope;
      for (const part of name.split(".")) {
        if (current === null || typeof current !== "object" || !(part in current)) throw new Error(`undefined variable ${name}`);
        current = (current as Record<string, unknown>)[part];
      }
      return String(current);
    });
  }
  if (Array.isArray(value)) return value.map((item) => renderForTest(item, scope));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderForTest(item, scope)]));
  return value;
}

export interface LocalFleet {
  inventoryFile: string;
  /** Each host's own directory, by name. */
  roots: Record<string, string>;
  shared: string;
}

/** Local hosts h1..hN, each with a root directory; clusters: host name → cluster name. */
export function localFleet(count: number, clusters: Record<string, string> = {}, hostVars: Record<string, Vars> = {}): LocalFleet {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-engine-"));
  const shared = path.join(dir, "shared");
  mkdirSync(shared);
  const roots: Record<string, string> = {};
  const standalone: string[] = [];
  const byCluster = new Map<string, string[]>();
  for (let index = 1; index <= count; index++) {
    const name = `h${index}`;
    roots[name] = path.join(dir, name);
    mkdirSync(roots[name]);
    const cluster = clusters[name];
    if (cluster) byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), name]);
    else standalone.push(name);
  }
  const hostLine = (name: string): string => `        ${name}: ${JSON.stringify({ ansible_connection: "local", root: roots[name], shared, ...(hostVars[name] ?? {}) })}`;
  const lines = ["all:", "  children:", "    standalone:", "      hosts:", ...standalone.map(hostLine)];
  for (const [cluster, names] of byCluster) lines.push(`    ${cluster}:`, `      vars: { lxd_cluster: ${cluster} }`, "      hosts:", ...names.map(hostLine));
  const inventoryFile = path.join(dir, "hosts.yml");
  writeFileSync(inventoryFile, `${lines.join("\n")}\n`);
  return { inventoryFile, roots, shared };
}

export interface EngineRun {
  hosts: HostResult[];
  byHost: Record<string, HostResult>;
  order: string[];
  /** The scripts sent on stdin, in order (gather, apply, verify...). */
  scripts: string[];
  /** "connect h1", "close h1"... in the order they happened. */
  connections: string[];
}

export interface EngineOptions {
  check?: boolean;
  forks?: number;
  /** Interrupt the run (as fleet's signal handler does) once this many task results are in. */
  interruptAfter?: number;
  /** Called with the run's interrupt switch as soon as the run starts. */
  onStart?: (interrupt: () => void) => void;
}

export async function runEngine(fleet: LocalFleet, playbook: Playbook, options: EngineOptions = {}): Promise<EngineRun> {
  const inventory = await loadInventory([fleet.inventoryFile]);
  const order: string[] = [];
  let results = 0;
  const scripts: string[] = [];
  const connections: string[] = [];
  const local = new LocalTransport({ outputLimit: 1024 * 1024, becomePassword: undefined });
  const recording: Transport = {
    connect: async (target) => {
      const connection = await local.connect(target);
      connections.push(`connect ${target.host}`);
      return {
        host: connection.host,
        exec: (command, execOptions) => {
          if (typeof execOptions?.stdin === "string") scripts.push(execOptions.stdin);
          return connection.exec(command, execOptions);
        },
        close: () => {
          connections.push(`close ${target.host}`);
          return connection.close();
        },
      };
    },
    close: () => local.close(),
  };
  const tracking = new TrackingTransport(recording);
  options.onStart?.(() => tracking.interrupt());
  const hosts = await runPlaybook(playbook, inventory, tracking, {
    check: options.check ?? false,
    forks: options.forks ?? 10,
    handshakes: 10,
    limit: undefined,
    extraVars: {},
    registry,
    selected: () => true,
    hostVars: (host: InventoryHost) => host.vars,
    render: (value, scope) => renderForTest(value, scope),
    renderTemplateFile: () => "",
    interrupted: () => tracking.interrupted,
    onTaskResult: () => {
      results += 1;
      if (options.interruptAfter !== undefined && results >= options.interruptAfter) tracking.interrupt();
    },
    onHostDone: (result) => order.push(result.host),
  });
  return { hosts, byHost: Object.fromEntries(hosts.map((host) => [host.host, host])), order, scripts, connections };
}

export const statuses = (host: HostResult | undefined): string[] => (host?.tasks ?? []).map((result: TaskResult) => `${result.name}:${result.status}`);
