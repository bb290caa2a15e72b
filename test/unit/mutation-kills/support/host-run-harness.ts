/**
 * Runs one HostPlayRun directly, on this machine's /bin/sh, through a connection the test can
 * watch (every exec, with its options) and tamper with (a lost connection, an interrupt, a host
 * that stops answering), so the planner's and the apply step's decisions can be asserted one by one.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Coordinator } from "../../../../src/engine/coordinator.js";
import { HostPlayRun, type PlayRun } from "../../../../src/engine/host-run.js";
import type { TaskResult } from "../../../../src/engine/results.js";
import type { Vars } from "../../../../src/inventory/types.js";
import type { Module } from "../../../../src/modules/types.js";
import type { Task } from "../../../../src/playbook/types.js";
import type { Connection, ExecOptions, ExecResult } from "../../../../src/transport/types.js";
import { playbookOf, registry as harnessModules, renderForTest, type TaskSpec } from "../../engine/playbook-harness.js";

export interface Exec {
  command: string;
  options: ExecOptions;
  stdin: string;
  /** An apply script (its sections run under set -e), not a gather of probes. */
  apply: boolean;
}

export type Tamper = (exec: Exec, run: () => ExecResult, index: number) => ExecResult | Promise<ExecResult>;

export class ShellConnection implements Connection {
  readonly execs: Exec[] = [];

  constructor(
    readonly host: string,
    private readonly tamper?: Tamper,
  ) {}

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const stdin = typeof options.stdin === "string" ? options.stdin : (options.stdin?.toString("utf8") ?? "");
    const exec: Exec = { command, options, stdin, apply: stdin.includes("\nset -e\n") };
    this.execs.push(exec);
    const run = (): ExecResult => {
      const done = spawnSync("/bin/sh", ["-c", command], { input: stdin, encoding: "utf8" });
      return { command, exitCode: done.status, signal: done.signal, stdout: done.stdout, stderr: done.stderr, truncated: false, timedOut: false, interrupted: false, becomeFailure: null, durationMs: 1 };
    };
    return this.tamper ? this.tamper(exec, run, this.execs.length - 1) : run();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A task of the engine harness, with the fields its TaskSpec does not set. */
export type HostTask = Omit<TaskSpec, "module"> & { module: string; become?: boolean; becomeUser?: string; timeoutSeconds?: number };

export interface HostRunOptions {
  check?: boolean;
  handlers?: HostTask[];
  modules?: Record<string, Module<unknown>>;
  tamper?: Tamper;
  coordinator?: Coordinator;
  host?: string;
  cluster?: string | null;
  root?: string;
  playBecome?: boolean;
  playBecomeUser?: string;
  selected?: (task: Task) => boolean;
  stopRequested?: () => boolean;
  interrupted?: () => boolean;
  /** Leave onHostFailed out of the PlayRun (it is optional). */
  withoutHostFailedHook?: boolean;
  onTaskResult?: (result: TaskResult) => void;
}

export interface HostRunOutcome {
  run: HostPlayRun;
  connection: ShellConnection;
  root: string;
  results: TaskResult[];
  statuses: string[];
  hostFailedCalls: number;
  /** execute() rejected with this. */
  thrown: unknown;
}

export const newRoot = (): string => mkdtempSync(path.join(tmpdir(), "fleet-hostrun-"));

function withExtras(tasks: readonly Task[], specs: readonly HostTask[]): Task[] {
  return tasks.map((task, index) => {
    const spec = specs[index] as HostTask;
    return { ...task, module: spec.module, become: spec.become, becomeUser: spec.becomeUser, timeoutSeconds: spec.timeoutSeconds };
  });
}

export async function runHost(tasks: HostTask[], options: HostRunOptions = {}): Promise<HostRunOutcome> {
  const root = options.root ?? newRoot();
  const base = playbookOf(tasks as unknown as TaskSpec[], { handlers: (options.handlers ?? []) as unknown as TaskSpec[] });
  const play = base.plays[0] as (typeof base.plays)[number];
  const fullPlay = { ...play, tasks: withExtras(play.tasks, tasks), handlers: withExtras(play.handlers, options.handlers ?? []), become: options.playBecome, becomeUser: options.playBecomeUser };
  const registry = new Map<string, Module<unknown>>([...harnessModules, ...Object.entries(options.modules ?? {})]);
  let hostFailedCalls = 0;
  const run: PlayRun = {
    playbook: { ...base, plays: [fullPlay] },
    play: fullPlay,
    playIndex: 0,
    registry,
    check: options.check ?? false,
    extraVars: {},
    coordinator: options.coordinator ?? new Coordinator(),
    batch: 0,
    collections: [],
    selected: options.selected ?? (() => true),
    render: (value, scope) => renderForTest(value, scope),
    renderTemplateFile: () => "",
    stopRequested: options.stopRequested ?? (() => false),
    interrupted: options.interrupted ?? (() => false),
    ...(options.withoutHostFailedHook ? {} : { onHostFailed: () => (hostFailedCalls += 1) }),
    ...(options.onTaskResult ? { onTaskResult: (_host: string, result: TaskResult) => options.onTaskResult?.(result) } : {}),
  };
  const host = options.host ?? "h1";
  const connection = new ShellConnection(host, options.tamper);
  const hostVars: Vars = { inventory_hostname: host, root };
  const hostRun = new HostPlayRun(run, connection, { host, cluster: options.cluster ?? null, hostVars });
  let thrown: unknown;
  try {
    await hostRun.execute();
  } catch (error) {
    thrown = error;
  }
  return { run: hostRun, connection, root, results: hostRun.results, statuses: hostRun.results.map((result) => `${result.name}:${result.status}`), hostFailedCalls, thrown };
}
