import { FleetError, messageOf } from "../errors.js";
import { commandOutput, commandOutputArg, type CommandOutput } from "../facts/command-output.js";
import type { HostCollection } from "../facts/host-collections.js";
import { fact, factKey, type FactRequest, type FactValue } from "../facts/types.js";
import type { Vars } from "../inventory/types.js";
import type { ModuleRegistry } from "../modules/registry.js";
import type { Module, Plan, PlanContext } from "../modules/types.js";
import { evaluateCondition, scopeOf, type Expression } from "../playbook/expression/index.js";
import type { Play, Playbook, Task } from "../playbook/types.js";
import { InterruptedError, isTransportError, TransportError } from "../transport/errors.js";
import { describeFailure } from "../transport/exit-meaning.js";
import type { Connection, ExecOptions } from "../transport/types.js";
import { applyChanges, type ChangeToApply } from "./apply.js";
import type { SectionOutcome } from "./sectioned-script.js";
import type { Coordinator } from "./coordinator.js";
import { gatherFacts } from "./gather.js";
import { HostFacts } from "./host-facts.js";
import { PendingValue } from "./pending.js";
import type { RegisteredResult, TaskResult, TaskStatus } from "./results.js";
import { registeredBefore, taskScope, type RegisterState } from "./scope.js";
import { verdictFor } from "./verdict.js";

/** What every host of one play shares. */
export interface PlayRun {
  playbook: Playbook;
  play: Play;
  playIndex: number;
  registry: ModuleRegistry;
  check: boolean;
  extraVars: Vars;
  coordinator: Coordinator;
  /** Distinguishes run_once claims of successive serial batches. */
  batch: number;
  /** Collections the play mentions as facts.NAME, read in each host's first round trip. */
  collections: readonly HostCollection[];
  selected(task: Task): boolean;
  render(value: unknown, scope: object, task: Task): unknown;
  renderTemplateFile(path: string, scope: object): string;
  stopRequested(): boolean;
  /** The run was interrupted: the host stops after recording what its last exec did. */
  interrupted(): boolean;
  onTaskResult?(host: string, result: TaskResult): void;
  /** A task failed on a host (any_errors_fatal listens). */
  onHostFailed?(): void;
}

export interface HostIdentity {
  host: string;
  cluster: string | null;
  /** The host's inventory variables and the magic ones (inventory_hostname, group_names). */
  hostVars: Vars;
}

type Become = Pick<ExecOptions, "become" | "becomeUser">;

/** A task as discovered for one round trip, before its facts are read. */
type Entry =
  | { kind: "skipped"; task: Task; reason: string; claim: string | undefined }
  | { kind: "broken"; task: Task; message: string; claim: string | undefined }
  | { kind: "delegated"; task: Task; ownerHost: string; result: Promise<TaskResult | string> }
  | { kind: "read-only"; task: Task; request: FactRequest<CommandOutput>; become: Become; claim: string | undefined }
  | { kind: "module"; task: Task; module: Module<unknown>; args: unknown; requests: FactRequest[]; become: Become; claim: string | undefined };

type ReadOnlyEntry = Extract<Entry, { kind: "read-only" }>;

/** A planned change waiting for the apply step. */
interface Pending {
  entry: Extract<Entry, { kind: "module" }>;
  plan: Extract<Plan, { kind: "change" }>;
  used: Record<string, FactValue>;
}

const CUT = Symbol("cut");

/**
 * One host's share of one play: its tasks in round trips. A round trip reads every fact its tasks
 * need in one exec, plans them all (later tasks against the predicted effects of earlier ones),
 * applies the changes as one script and reads the changed facts again to prove the changes hold.
 * A task that needs a value only the round trip produces (a registered result) starts the next.
 */
export class HostPlayRun {
  readonly results: TaskResult[] = [];
  failed = false;
  /** The connection broke: the host is unreachable from here on. */
  unreachable = false;
  /** The run was interrupted before this host finished its tasks. */
  interrupted = false;
  private lostConnection: TransportError | undefined;
  error: string | null = null;
  execs = 0;
  private readonly facts = new HostFacts();
  private collections: Map<string, FactValue> | undefined;
  private readonly registered = new Map<string, RegisterState>();
  private readonly notified = new Set<string>();
  private registerVersion = 0;
  private cachedScope: { version: string; scope: Record<string, unknown> } | undefined;

  constructor(
    private readonly run: PlayRun,
    private readonly connection: Connection,
    private readonly identity: HostIdentity,
  ) {
    if (run.collections.length === 0) this.collections = new Map();
  }

  get host(): string {
    return this.identity.host;
  }

  get cluster(): string | null {
    return this.identity.cluster;
  }

  async execute(): Promise<void> {
    try {
      await this.runList(this.run.play.tasks, false);
      // the whole handler list, not the notified ones alone: a round trip cut at a handler's index resumes there
      if (!this.failed && this.run.play.handlers.some((handler) => this.notified.has(handler.name))) await this.runList(this.run.play.handlers, true);
    } catch (error) {
      if (error instanceof InterruptedError) {
        this.interrupted = true;
        this.error = messageOf(error);
        return;
      }
      this.failed = true;
      this.error = messageOf(error);
      if (isTransportError(error)) this.unreachable = true;
      else if (!(error instanceof FleetError)) throw error;
    } finally {
      this.run.coordinator.abandon(this.host, `${this.host}, which ran it for the others, ${this.error ?? "stopped before it"}`);
    }
  }

  private async runList(tasks: readonly Task[], handler: boolean): Promise<void> {
    let next = 0;
    while (next < tasks.length && !this.failed && !this.interrupted && !this.run.stopRequested()) {
      const factsKnown = this.collections !== undefined;
      const after = await this.roundTrip(tasks, next, handler);
      // a round trip that only read the facts is progress; one that read them already and planned nothing is a bug
      if (after <= next && factsKnown) throw new FleetError("ENGINE_NO_PROGRESS", `task "${tasks[next]?.name}" waits for a value no round trip provides`, { hint: "please report this with the playbook" });
      next = Math.max(after, next);
    }
    if (next < tasks.length && this.run.interrupted()) {
      this.interrupted = true;
      this.error ??= "interrupted: the tasks after this point did not run";
    }
  }

  private async roundTrip(tasks: readonly Task[], start: number, handler: boolean): Promise<number> {
    const entries: Entry[] = [];
    let cut = tasks.length;
    for (let index = start; index < tasks.length; index++) {
      const task = tasks[index] as Task;
      if (!this.run.selected(task) || (handler && !this.notified.has(task.name))) continue;
      const entry = this.discover(task);
      if (entry === CUT) {
        cut = index;
        break;
      }
      entries.push(entry);
      // later tasks of this round trip cannot read this task's result before it is planned
      if (task.register !== undefined) this.setRegistered(task.register, { pending: task.name, afterGather: entry.kind === "read-only", since: task.index, previous: this.registered.get(task.register) });
      if (entry.kind === "broken") {
        cut = index + 1;
        break;
      }
    }
    await this.gather(entries);

    const settledAt = new Map<Task, TaskResult>();
    const changes: Pending[] = [];
    const predicted: Pending[] = [];
    const afterApply: ReadOnlyEntry[] = [];
    for (const entry of entries) {
      // nothing may change the host before the commands that read it after the apply have run; a
      // command (whose effects nobody predicts) is the last change of its round trip, and the first:
      // the changes before it are proven before it runs, those after it are planned on what it left
      const commandBlocks = entry.kind === "module" && changes.length > 0 && (!entry.module.verifiable || changes.some((change) => !change.entry.module.verifiable));
      if ((afterApply.length > 0 && entry.kind === "module") || commandBlocks) {
        cut = entry.task.index;
        break;
      }
      // a command reads the host as it is: after this round trip's changes, so it runs with the verify step
      if (entry.kind === "read-only" && changes.length > 0) {
        const holds = this.conditionOf(entry.task);
        if (holds === CUT) {
          cut = entry.task.index;
          break;
        }
        if (holds === true) {
          this.facts.forget([entry.request]);
          afterApply.push(entry);
          continue;
        }
      }
      const planned = this.plan(entry);
      if (planned === CUT) {
        cut = entry.task.index;
        break;
      }
      if (planned === "delegated") continue;
      const plan = planned.plan;
      if (plan?.kind === "change" && entry.kind === "module") {
        if (this.effectiveCheck(entry.task)) predicted.push({ entry, plan, used: planned.used ?? {} });
        else changes.push({ entry, plan, used: planned.used ?? {} });
      }
      if (!changes.some((change) => change.entry === entry)) this.register(entry.task, planned.result);
      settledAt.set(entry.task, planned.result);
      if (planned.result.status === "failed" && !planned.result.ignored && planned.hard) {
        this.markFailed();
        cut = entry.task.index + 1;
        break;
      }
    }
    // predictions stand until the changes they predict are applied and read back (in check mode: all run)
    if (changes.length > 0) await this.applyAndVerify(changes, settledAt, afterApply);
    // check mode proves its changes too, against the state the round trip predicts
    this.replan(predicted.filter(({ entry }) => entry.module.verifiable), settledAt, "after the tasks that follow it");

    for (const entry of entries) {
      if (entry.task.index >= cut && !settledAt.has(entry.task)) continue;
      const result = entry.kind === "delegated" ? await this.delegatedResult(entry) : settledAt.get(entry.task);
      if (result === undefined) continue;
      this.record(entry.task, result, handler);
      if (entry.kind !== "delegated" && entry.claim !== undefined) this.run.coordinator.settle(entry.claim, result);
    }
    // what was applied before the connection broke is recorded above; the host is unreachable now
    if (this.lostConnection) throw this.lostConnection;
    return cut;
  }

  /** Decides what a task needs before anything is read; CUT when it needs a value this round trip produces. */
  private discover(task: Task): Entry | typeof CUT {
    const claim = this.claimKey(task);
    if (claim !== undefined) {
      const claimed = this.run.coordinator.claim(claim, this.host);
      if (!claimed.owner) return { kind: "delegated", task, ownerHost: claimed.ownerHost, result: claimed.result };
    }
    const scope = this.scope(task);
    let condition: boolean | PendingValue;
    try {
      condition = this.conditionHolds(task.when, scope);
    } catch (error) {
      return { kind: "broken", task, message: `when: ${messageOf(error)}`, claim };
    }
    // a condition that waits only for what the coming gather reads (facts, read-only commands) is judged at the plan step
    if (condition instanceof PendingValue && !condition.knownAfterGather) return CUT;
    if (condition === false) return { kind: "skipped", task, reason: falseCondition(task), claim };
    const module = this.run.registry.get(task.module);
    if (module === undefined) return { kind: "broken", task, message: `unknown module ${task.module}`, claim };
    let args: unknown;
    try {
      args = this.renderArgs(task, module, scope);
    } catch (error) {
      if (error instanceof PendingValue) return CUT;
      return { kind: "broken", task, message: messageOf(error), claim };
    }
    const become = this.becomeOf(task);
    if (this.isReadOnly(task, module)) {
      const script = module.readOnlyScript?.(args);
      if (script !== undefined) {
        const request = fact(commandOutput, commandOutputArg({ script, task: `${this.run.playIndex}/${task.index}`, timeoutSeconds: task.timeoutSeconds }));
        return { kind: "read-only", task, request, become, claim };
      }
    }
    return { kind: "module", task, module, args, requests: module.facts(args), become, claim };
  }

  private async gather(entries: readonly Entry[]): Promise<void> {
    const groups = new Map<string, { become: Become; requests: Map<string, FactRequest> }>();
    // each probe once per exec, however many tasks ask for it
    const add = (become: Become, requests: readonly FactRequest[]): void => {
      const key = `${String(become.become)}|${become.becomeUser ?? ""}`;
      const group = groups.get(key) ?? { become, requests: new Map<string, FactRequest>() };
      for (const request of requests) group.requests.set(factKey(request), request);
      groups.set(key, group);
    };
    if (this.collections === undefined) add(this.becomeOf(undefined), this.run.collections.map((collection) => fact(collection, "")));
    for (const entry of entries) {
      if (entry.kind === "module") add(entry.become, this.facts.missing(entry.requests));
      else if (entry.kind === "read-only") add(entry.become, [entry.request]);
    }
    for (const { become, requests } of groups.values()) {
      if (requests.size === 0) continue;
      this.execs += 1;
      const gatheredFacts = await gatherFacts(this.connection, [...requests.values()], become);
      if (gatheredFacts === "interrupted") throw new InterruptedError("interrupted while reading the host's state; nothing of this round trip was changed");
      for (const gathered of gatheredFacts) {
        if ("error" in gathered) this.facts.storeFailure(gathered.request, gathered.error);
        else this.facts.store(gathered.request, gathered.value);
      }
    }
    if (this.collections === undefined) {
      this.collections = new Map();
      for (const collection of this.run.collections) {
        const { reader } = this.facts.readerFor([fact(collection, "")]);
        try {
          this.collections.set(collection.name.replace(/^facts\./, ""), reader.get(fact(collection, "")));
        } catch (error) {
          throw new FleetError("FACTS_UNREADABLE", `cannot read ${collection.name}: ${messageOf(error)}`);
        }
      }
    }
  }

  /**
   * Plans one entry against the facts read (and predicted) so far; `used` is the facts a module's
   * plan read, by key (what its change is applied and verified against).
   */
  private plan(entry: Entry): { result: TaskResult; plan?: Plan; hard: boolean; used?: Record<string, FactValue> } | "delegated" | typeof CUT {
    const { task } = entry;
    if (entry.kind === "delegated") return "delegated";
    if (entry.kind === "skipped") return { result: this.taskResult(task, "skipped", entry.reason, null), hard: false };
    if (entry.kind === "broken") return { result: this.taskResult(task, "failed", entry.message, null), hard: true };
    const scope = this.scope(task);
    let condition: boolean | PendingValue;
    try {
      condition = this.conditionHolds(task.when, scope);
    } catch (error) {
      return { result: this.taskResult(task, "failed", `when: ${messageOf(error)}`, null), hard: true };
    }
    if (condition instanceof PendingValue) return CUT;
    if (condition === false) return { result: this.taskResult(task, "skipped", falseCondition(task), null), hard: false };
    if (entry.kind === "read-only") return { result: this.readOnlyResult(entry), hard: true };

    const { reader, used } = this.facts.readerFor(entry.requests);
    let plan: Plan;
    try {
      plan = auditOnly(task, this.run.check, entry.module.plan(entry.args as never, reader, this.planContext(task, scope)));
    } catch (error) {
      return { result: this.taskResult(task, "failed", messageOf(error), null), hard: true };
    }
    const planned = { ...this.outcomeOf(task, plan), used };
    if (plan.kind === "change") planned.result.factsRead = this.facts.asRead(entry.requests.filter((request) => factKey(request) in used));
    // an audit reports the host as it is: a control whose facts an earlier change would alter is judged on what was read
    if (this.effectiveCheck(task) && task.control !== null && this.facts.predicts(entry.requests)) {
      const { reader: asRead } = this.facts.readerFor(entry.requests, { asRead: true });
      try {
        const current = entry.module.plan(entry.args as never, asRead, this.planContext(task, scope));
        planned.result.verdict = verdictFor(task, this.outcomeOf(task, current, false).result.status, current, "", true);
      } catch (error) {
        planned.result.verdict = { id: task.control.id, status: "error", expected: null, actual: null, message: messageOf(error) };
      }
    }
    return planned;
  }

  /** The task result a plan gives; a change also records its predicted effects unless `predict` is false. */
  private outcomeOf(task: Task, plan: Plan, predict = true): { result: TaskResult; plan: Plan; hard: boolean } {
    switch (plan.kind) {
      case "ok":
        return { result: this.taskResult(task, "ok", plan.reason, plan), plan, hard: false };
      case "not_applicable":
        return { result: this.taskResult(task, "skipped", `not applicable: ${plan.reason}`, plan), plan, hard: false };
      case "fail":
        // a finding, not an error: the host's other tasks are still judged
        return { result: this.taskResult(task, "failed", plan.message, plan), plan, hard: false };
      case "error":
        // the state could not be read: this control is an error, the host's other tasks are still judged
        return { result: this.taskResult(task, "failed", plan.message, plan), plan, hard: false };
      case "change":
        if (predict) for (const effect of plan.effects) this.facts.predict(effect.request, effect.value);
        return { result: { ...this.taskResult(task, "changed", plan.summary, plan), diff: plan.diff }, plan, hard: false };
    }
  }

  /** A task's condition now: true, false, CUT (it waits for this round trip), or "error" (planning the task reports it). */
  private conditionOf(task: Task): boolean | typeof CUT | "error" {
    try {
      const holds = this.conditionHolds(task.when, this.scope(task));
      return holds instanceof PendingValue ? CUT : holds;
    } catch {
      return "error";
    }
  }

  private readOnlyResult(entry: ReadOnlyEntry): TaskResult {
    const { reader } = this.facts.readerFor([entry.request]);
    let output: CommandOutput;
    try {
      output = reader.get(entry.request);
    } catch (error) {
      return this.taskResult(entry.task, "failed", messageOf(error), null);
    }
    return this.commandResult(entry.task, output, false);
  }

  /** A command's outcome judged by its exit status, changed_when and failed_when. */
  private commandResult(task: Task, output: CommandOutput, ranAsChange: boolean): TaskResult {
    const registered: RegisteredResult = { changed: ranAsChange, failed: output.rc !== 0, skipped: false, msg: "", rc: output.rc, stdout: output.stdout, stderr: output.stderr, stdout_lines: output.stdout.split("\n").filter((line) => line !== "") };
    const scope = taskScope({ ...this.scopeParts(task), locals: task.register === undefined ? { result: registered } : { result: registered, [task.register]: registered } });
    let changed: boolean;
    let failed: boolean;
    try {
      changed = judge(task.changedWhen, scope, ranAsChange);
      failed = judge(task.failedWhen, scope, output.rc !== 0);
    } catch (error) {
      // a condition that cannot be judged (an undefined name, a value not recorded yet) fails the task, saying why
      return { ...this.taskResult(task, "failed", `changed_when/failed_when: ${messageOf(error)}`, null), output: { rc: output.rc, stdout: output.stdout, stderr: output.stderr } };
    }
    const status: TaskStatus = failed ? "failed" : changed ? "changed" : "ok";
    const message = failed ? timedOut(task, output.rc) ?? ((output.stderr.trim().split("\n").slice(-1)[0] ?? "") || `exit ${output.rc}`) : `exit ${output.rc}`;
    return { ...this.taskResult(task, status, message, null), output: { rc: output.rc, stdout: output.stdout, stderr: output.stderr } };
  }

  private async applyAndVerify(changes: readonly Pending[], settled: Map<Task, TaskResult>, afterApply: readonly ReadOnlyEntry[]): Promise<void> {
    let stopped = false;
    const groups = consecutiveGroups(changes);
    // changes of the groups a stop or an interrupt kept from running were never applied
    const forgetGroupsFrom = (first: number): void => {
      for (const later of groups.slice(first)) for (const { entry } of later) settled.delete(entry.task);
    };
    for (const [groupIndex, group] of groups.entries()) {
      if (stopped) {
        forgetGroupsFrom(groupIndex);
        break;
      }
      const toApply: ChangeToApply[] = group.map(({ entry, plan }) => ({ commands: plan.commands, continueOnFailure: entry.task.ignoreErrors, timeoutSeconds: entry.task.timeoutSeconds }));
      this.execs += 1;
      const deadline = localDeadlineMs(toApply);
      const applied = await applyChanges(this.connection, toApply, { ...(group[0]?.entry.become ?? {}), ...(deadline === undefined ? {} : { timeoutMs: deadline }) });
      const cut: CutShort | undefined = applied.exec === null ? "connection-lost" : applied.exec.interrupted ? "interrupted" : applied.exec.timedOut ? "unanswered" : undefined;
      if (cut !== undefined || applied.exec === null) {
        const during = this.settleCutApply(group, applied.outcomes, settled, cut ?? "connection-lost");
        forgetGroupsFrom(groupIndex + 1);
        if (cut !== "interrupted") this.lostConnection = this.unreachableWhileApplying(applied.lost, during, group);
        return;
      }
      const whole = describeFailure(applied.exec);
      group.forEach(({ entry }, index) => {
        const outcome = applied.outcomes[index];
        const before = settled.get(entry.task) as TaskResult;
        if (outcome === undefined || !outcome.ran) {
          // the script reached this section (nothing before it stopped it) but its output has no trace of it
          if (!stopped) settled.set(entry.task, { ...before, status: "failed", message: whole ?? unrecordedSection(before.message, applied.exec?.truncated === true) });
          else settled.delete(entry.task);
          stopped = true;
          return;
        }
        const output = { rc: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr };
        const result = entry.module.verifiable ? { ...before, output } : this.commandResult(entry.task, output, true);
        if (outcome.exitCode !== 0 && result.status !== "failed" && entry.module.verifiable) {
          const said = timedOut(entry.task, outcome.exitCode) ?? outcome.stderr.trim().split("\n").slice(-2).join(" / ");
          settled.set(entry.task, { ...result, status: "failed", message: `${before.message}: failed${said ? `: ${said}` : ` with exit ${outcome.exitCode}`}`, ignored: entry.task.ignoreErrors });
        } else settled.set(entry.task, { ...result, ignored: result.status === "failed" && entry.task.ignoreErrors });
        if (settled.get(entry.task)?.status === "failed" && !entry.task.ignoreErrors) stopped = true;
      });
    }
    // the script stops only at a task that failed and was not ignored (or one whose end is unknown): the host has failed
    if (stopped) this.markFailed();

    const applied = changes.filter(({ entry }) => settled.get(entry.task)?.status === "changed");
    if (applied.some(({ entry }) => !entry.module.verifiable)) this.facts.forgetAll();
    else this.facts.forget(applied.flatMap(({ entry, plan }) => [...entry.requests, ...plan.effects.map((effect) => effect.request)]));
    this.facts.forgetPredictions();
    await this.verify(applied.filter(({ entry }) => entry.module.verifiable), settled, stopped ? [] : afterApply);
  }

  /** Reads the facts of applied changes again: planning once more must find nothing to do. */
  /** One exec after the apply: the changed facts read back, and the read-only commands that follow the changes. */
  private async verify(applied: readonly Pending[], settled: Map<Task, TaskResult>, afterApply: readonly ReadOnlyEntry[]): Promise<void> {
    if (applied.length === 0 && afterApply.length === 0) return;
    try {
      await this.gather([...applied.map(({ entry }) => entry), ...afterApply]);
    } catch (error) {
      const lost = isTransportError(error) ? error : undefined;
      if (!(error instanceof InterruptedError) && lost === undefined) throw error;
      // the changes were applied: they are recorded as changed, only their proof is missing
      for (const { entry } of applied) {
        const result = settled.get(entry.task) as TaskResult;
        settled.set(entry.task, { ...result, message: `${result.message} (not verified: ${lost === undefined ? CUT_REASON.interrupted : CUT_REASON["connection-lost"]})` });
      }
      for (const entry of afterApply) settled.delete(entry.task);
      if (lost === undefined) this.stopForInterrupt();
      else {
        this.markFailed();
        this.lostConnection = lost;
      }
      return;
    }
    this.replan(applied, settled, "after applying");
    if (this.failed) return;
    // the commands that read the host after the changes see what the changes registered
    for (const [task, result] of settled) this.register(task, result);
    for (const entry of afterApply) {
      const result = this.readOnlyResult(entry);
      settled.set(entry.task, result);
      if (result.status === "failed" && !result.ignored) {
        this.markFailed();
        return;
      }
    }
  }

  /** Plans changed tasks again against the facts now known (read back, or predicted): each must find nothing left to do. */
  private replan(changed: readonly Pending[], settled: Map<Task, TaskResult>, when: string): void {
    for (const { entry } of changed) {
      const { reader } = this.facts.readerFor(entry.requests);
      const before = settled.get(entry.task) as TaskResult;
      let replanned: Plan;
      try {
        replanned = entry.module.plan(entry.args as never, reader, this.planContext(entry.task, this.scope(entry.task)));
      } catch (error) {
        replanned = { kind: "fail", message: messageOf(error) };
      }
      if (replanned.kind === "ok" || replanned.kind === "not_applicable") continue;
      const still = replanned.kind === "change" ? replanned.summary : replanned.message;
      settled.set(entry.task, { ...before, status: "failed", message: `not idempotent: ${when}, the task still finds: ${still}`, ignored: entry.task.ignoreErrors, verdict: before.control ? { id: before.control.id, status: "error", expected: null, actual: null, message: `not idempotent: ${still}` } : null });
      if (!entry.task.ignoreErrors) this.markFailed();
    }
  }

  private async delegatedResult(entry: Extract<Entry, { kind: "delegated" }>): Promise<TaskResult> {
    const outcome = await entry.result;
    if (typeof outcome === "string") return { ...this.taskResult(entry.task, "failed", `not run: ${outcome}`, null), delegatedTo: entry.ownerHost };
    return { ...outcome, delegatedTo: entry.ownerHost };
  }

  private record(task: Task, result: TaskResult, handler: boolean): void {
    const final: TaskResult = { ...result, handler, verdict: result.verdict ?? verdictFor(task, result.status, result.plan, result.message, this.effectiveCheck(task)) };
    this.results.push(final);
    this.register(task, final);
    if (final.status === "changed") for (const name of task.notify) this.notified.add(name);
    this.run.onTaskResult?.(this.host, final);
  }

  private planContext(task: Task, scope: Record<string, unknown>): PlanContext {
    return {
      host: this.host,
      check: this.effectiveCheck(task),
      renderTemplate: (path) => this.run.renderTemplateFile(path, scope),
      condition: (expression) => evaluateCondition(expression, scopeOf(scope)),
    };
  }

  /**
   * An apply script cut short (by the interrupt, by a lost connection, or by a host that stopped
   * answering within the tasks' timeouts): the tasks it finished are recorded as they ended, the one
   * it was in is failed (it may be partly done: each write is atomic, a task of several steps is
   * not), the ones it did not reach are left unjudged.
   */
  private settleCutApply(group: readonly Pending[], outcomes: readonly SectionOutcome[], settled: Map<Task, TaskResult>, cut: CutShort): Task | undefined {
    let during: Task | undefined;
    group.forEach(({ entry }, index) => {
      const outcome = outcomes[index];
      const before = settled.get(entry.task) as TaskResult;
      if (outcome === undefined || !outcome.ran) {
        settled.delete(entry.task);
        return;
      }
      const output = { rc: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr };
      if (outcome.exitCode === 0) settled.set(entry.task, { ...before, output, message: `${before.message} (not verified: ${CUT_REASON[cut]})` });
      else if (outcome.exitCode > 0) settled.set(entry.task, { ...before, output, status: "failed", message: `${before.message}: failed with exit ${outcome.exitCode}` });
      else {
        during = entry.task;
        // the interrupt's own doing is reported on the task; a host that went away is unreachable, and its error names the task
        if (cut === "interrupted") settled.set(entry.task, { ...before, output, status: "failed", message: `interrupted while applying: ${before.message} may be partly done; run again to finish it` });
        else settled.delete(entry.task);
      }
    });
    if (cut === "interrupted") this.stopForInterrupt();
    else this.markFailed();
    return during;
  }

  private unreachableWhileApplying(lost: TransportError | undefined, during: Task | undefined, group: readonly Pending[]): TransportError {
    const task = during ? ` while applying "${during.name}" (it may be partly done; run again to finish it)` : "";
    if (lost) return new TransportError(lost.kind, this.host, `${lost.message.slice(this.host.length + 2)}${task}`, lost.hint === undefined ? {} : { hint: lost.hint });
    const seconds = group.reduce((sum, { entry }) => sum + (entry.task.timeoutSeconds ?? 0), 0);
    return new TransportError("connection-lost", this.host, `stopped answering: no answer within the tasks' timeout (${seconds} s + 5 s grace)${task}`, { hint: "the host is frozen, overloaded or cut off; fleet could not confirm that the command was killed" });
  }

  private stopForInterrupt(): void {
    this.interrupted = true;
    this.error = "interrupted: the tasks after this point did not run";
  }

  private markFailed(): void {
    this.failed = true;
    this.run.onHostFailed?.();
  }

  private setRegistered(name: string, state: RegisterState): void {
    this.registered.set(name, state);
    this.registerVersion += 1;
  }

  private register(task: Task, result: TaskResult): void {
    if (task.register === undefined) return;
    const output = result.output;
    const lines = output ? { rc: output.rc, stdout: output.stdout, stderr: output.stderr, stdout_lines: output.stdout.split("\n").filter((line) => line !== "") } : {};
    this.setRegistered(task.register, { known: { changed: result.status === "changed", failed: result.status === "failed", skipped: result.status === "skipped", msg: result.message, ...lines } });
  }

  private taskResult(task: Task, status: TaskStatus, message: string, plan: Plan | null): TaskResult {
    return {
      play: this.run.playIndex,
      task: task.index,
      handler: false,
      name: task.name,
      module: task.module,
      control: task.control,
      status,
      message,
      diff: null,
      plan,
      output: null,
      delegatedTo: null,
      verdict: null,
      ignored: status === "failed" && task.ignoreErrors,
    };
  }

  private renderArgs(task: Task, module: Module<unknown>, scope: object): unknown {
    const rendered = this.run.render(task.args, scope, task);
    const parsed = module.args.safeParse(rendered);
    if (!parsed.success) throw new FleetError("MODULE_ARGS", `${task.module}: ${parsed.error.issues.map((issue) => `${[task.module, ...issue.path.map(String)].join(".")}: ${issue.message}`).join("; ")}`);
    return parsed.data;
  }

  /** Whether the conditions hold, or what they wait for; an error in them is thrown. */
  private conditionHolds(conditions: readonly Expression[], scope: Record<string, unknown>): boolean | PendingValue {
    try {
      return conditions.every((condition) => evaluateCondition(condition, scopeOf(scope)));
    } catch (error) {
      if (error instanceof PendingValue) return error;
      throw error;
    }
  }

  private scopeParts(task: Task): Parameters<typeof taskScope>[0] {
    return { hostVars: this.identity.hostVars, play: this.run.play, registered: registeredBefore(this.registered, task.index), extraVars: this.run.extraVars, facts: this.collections };
  }

  /** The variables `task` sees, built again only when a registered result or the facts changed (it is read several times per task). */
  private scope(task: Task): Record<string, unknown> {
    const parts = this.scopeParts(task);
    const version = `${this.registerVersion}|${this.collections === undefined ? "-" : "facts"}|${[...parts.registered.keys()].join(",")}|${parts.registered === this.registered ? "" : task.index}`;
    if (this.cachedScope?.version !== version) this.cachedScope = { version, scope: taskScope(parts) };
    return this.cachedScope.scope;
  }

  private claimKey(task: Task): string | undefined {
    if (task.runOnce) return `once:${this.run.playIndex}:${this.run.batch}:${task.index}`;
    if (task.scope === "cluster" && this.identity.cluster !== null) return `cluster:${this.identity.cluster}:${this.run.playIndex}:${task.index}`;
    return undefined;
  }

  private becomeOf(task: Task | undefined): Become {
    const become = task?.become ?? this.run.play.become;
    const becomeUser = task?.becomeUser ?? this.run.play.becomeUser;
    return { ...(become === undefined ? {} : { become }), ...(becomeUser === undefined ? {} : { becomeUser }) };
  }

  private isReadOnly(task: Task, module: Module<unknown>): boolean {
    return module.readOnlyScript !== undefined && task.changedWhen === false;
  }

  private effectiveCheck(task: Task): boolean {
    return task.checkMode ?? this.run.check;
  }
}

/**
 * A task with `check_mode: true` in a real run is an audit-only check (a risky fix the operator has
 * not enabled): what it would change is a finding, not a change, so a run never reports it as
 * changed and a second run stays at 0 changed. Under --check it reads like every other would-change.
 */
function auditOnly(task: Task, runIsCheck: boolean, plan: Plan): Plan {
  if (task.checkMode !== true || runIsCheck || plan.kind !== "change") return plan;
  return { kind: "fail", message: `not changed (audit only): would ${plan.summary}`, ...(plan.expected === undefined ? {} : { expected: plan.expected }), ...(plan.actual === undefined ? {} : { actual: plan.actual }) };
}

/** Why an apply script ended before its end. */
type CutShort = "interrupted" | "connection-lost" | "unanswered";
const CUT_REASON: Record<CutShort, string> = {
  interrupted: "the run was interrupted",
  "connection-lost": "the connection broke",
  unanswered: "the host stopped answering",
};

/**
 * A deadline on our side for an apply script whose every task has a timeout: `timeout` on the host
 * ends each task after its timeout plus 5 s, but a frozen host runs no timers, and the task's
 * timeout is what the operator was promised.
 */
function localDeadlineMs(changes: readonly ChangeToApply[]): number | undefined {
  if (changes.length === 0 || changes.some((change) => change.timeoutSeconds === undefined)) return undefined;
  return (changes.reduce((sum, change) => sum + (change.timeoutSeconds ?? 0) + 5, 0) + 1) * 1000;
}

/** Why a task the apply script reached left no trace in its output: said, never guessed as not run. */
function unrecordedSection(planned: string, truncated: boolean): string {
  const why = truncated ? "the apply printed more output than fleet keeps, and the part that recorded it was cut" : "its start was not found in the apply's output";
  return `${planned}: no record of how it ended (${why}); it may have run: run again to see the host's state`;
}

/** `timeout -k 5 N` ends a task that ran too long with 124 (TERM) or 137 (KILL after the grace). */
function timedOut(task: Task, exitCode: number): string | undefined {
  if (task.timeoutSeconds === undefined || (exitCode !== 124 && exitCode !== 137)) return undefined;
  return `timed out after ${task.timeoutSeconds} s (the task's timeout); killed`;
}

const falseCondition = (task: Task): string => `condition is false: ${task.when.map((when) => when.source).join(" and ")}`;

/** changed_when / failed_when: a literal, conditions (all must hold), or the module's own verdict. */
function judge(rule: boolean | readonly Expression[] | undefined, scope: Record<string, unknown>, fallback: boolean): boolean {
  if (rule === undefined) return fallback;
  if (typeof rule === "boolean") return rule;
  return rule.every((condition) => evaluateCondition(condition, scopeOf(scope)));
}

/**
 * Changes with the same become settings in a row go in one exec; a task with a timeout goes alone.
 * A task with failed_when ends its exec: whether the script may go on after it is known only once
 * its output is judged (a non-zero exit it accepts must not stop the tasks after it, an exit 0 it
 * rejects must).
 */
function consecutiveGroups(changes: readonly Pending[]): Pending[][] {
  const groups: Pending[][] = [];
  let key: string | undefined;
  for (const change of changes) {
    // a task with a timeout gets an exec of its own, so that fleet can hold the host to it (localDeadlineMs)
    const timed = change.entry.task.timeoutSeconds !== undefined;
    const next = `${String(change.entry.become.become)}|${change.entry.become.becomeUser ?? ""}${timed ? `|timed:${change.entry.task.index}` : ""}`;
    if (next !== key || groups.length === 0) groups.push([]);
    groups[groups.length - 1]?.push(change);
    key = change.entry.task.failedWhen === undefined ? next : undefined;
  }
  return groups;
}
