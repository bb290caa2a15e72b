import type { TaskResult } from "./results.js";

/**
 * Tasks that run once for many hosts — `scope: cluster` (once per LXD cluster) and `run_once`
 * (once per batch) — are claimed by the first host that reaches them; that host runs the task and
 * settles the claim, the others wait for its result and report it as theirs. A host that stops
 * before settling (failed, unreachable, interrupted) settles its claims with why, so no host
 * waits forever.
 */
export class Coordinator {
  private readonly claims = new Map<string, Claim>();

  claim(key: string, host: string): { owner: true } | { owner: false; ownerHost: string; result: Promise<TaskResult | string> } {
    const existing = this.claims.get(key);
    if (existing?.owner === host) return { owner: true };
    if (existing) return { owner: false, ownerHost: existing.owner, result: existing.promise };
    let settle: (value: TaskResult | string) => void = () => {};
    const promise = new Promise<TaskResult | string>((resolve) => (settle = resolve));
    this.claims.set(key, { owner: host, promise, settle, settled: false });
    return { owner: true };
  }

  settle(key: string, result: TaskResult | string): void {
    const claim = this.claims.get(key);
    if (claim === undefined || claim.settled) return;
    claim.settled = true;
    claim.settle(result);
  }

  /** Settles every unsettled claim of `host` with `reason` (it will not run them). */
  abandon(host: string, reason: string): void {
    for (const [key, claim] of this.claims) if (claim.owner === host) this.settle(key, reason);
  }
}

interface Claim {
  owner: string;
  promise: Promise<TaskResult | string>;
  settle: (value: TaskResult | string) => void;
  settled: boolean;
}
