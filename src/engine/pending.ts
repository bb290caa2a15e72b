/**
 * Thrown while rendering or evaluating when a value is not known yet: facts not gathered, or the
 * registered result of a task in the same round trip. The engine catches it and ends the current
 * round trip before that task, so the value is known when the task is planned again.
 */
export class PendingValue extends Error {
  constructor(
    readonly what: string,
    /** The coming gather provides it (facts, a read-only command of this round trip): a condition may wait for the plan step. */
    readonly knownAfterGather: boolean,
  ) {
    // "facts..." when it waits for the first gather, which every round trip can provide
    super(`${what} is not known yet`);
    this.name = "PendingValue";
  }
}
