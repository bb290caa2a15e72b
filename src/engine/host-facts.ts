import { factKey, type FactReader, type FactRequest, type FactValue } from "../facts/types.js";
import { FleetError } from "../errors.js";

/**
 * The facts of one host during a run: values read from the host (cached for the run) and, on top,
 * the values predicted by changes planned but not applied yet, so later tasks plan against the
 * state the earlier ones will leave (check mode is then exact).
 */
export class HostFacts {
  private readonly read = new Map<string, FactValue>();
  private readonly failures = new Map<string, FleetError>();
  private readonly predicted = new Map<string, FactValue>();

  /** Requests whose value is neither read nor predicted, each key once. */
  missing(requests: Iterable<FactRequest>): FactRequest[] {
    const wanted = new Map<string, FactRequest>();
    for (const request of requests) {
      const key = factKey(request);
      if (!this.read.has(key) && !this.failures.has(key) && !this.predicted.has(key)) wanted.set(key, request);
    }
    return [...wanted.values()];
  }

  store(request: FactRequest, value: FactValue): void {
    this.read.set(factKey(request), value);
    this.failures.delete(factKey(request));
  }

  storeFailure(request: FactRequest, error: FleetError): void {
    this.failures.set(factKey(request), error);
    this.read.delete(factKey(request));
  }

  predict(request: FactRequest, value: FactValue): void {
    this.predicted.set(factKey(request), value);
  }

  /** After applying: what was predicted is read again from the host. */
  forgetPredictions(): void {
    this.predicted.clear();
  }

  forget(requests: Iterable<FactRequest>): void {
    for (const request of requests) {
      this.read.delete(factKey(request));
      this.failures.delete(factKey(request));
    }
  }

  forgetAll(): void {
    this.read.clear();
    this.failures.clear();
  }

  /**
   * A reader limited to the facts a task declared; the values it returned are kept for the plan's
   * record. `asRead` ignores predictions: the host as it is now.
   */
  /** The values of these facts as read from the host, predictions left out (those not read are absent). */
  asRead(requests: readonly FactRequest[]): Record<string, FactValue> {
    const values: Record<string, FactValue> = {};
    for (const request of requests) {
      const value = this.read.get(factKey(request));
      if (value !== undefined) values[factKey(request)] = value;
    }
    return values;
  }

  /** True when a change planned earlier predicts one of these facts. */
  predicts(requests: readonly FactRequest[]): boolean {
    return requests.some((request) => this.predicted.has(factKey(request)));
  }

  readerFor(declared: readonly FactRequest[], options: { asRead?: boolean } = {}): { reader: FactReader; used: Record<string, FactValue> } {
    const allowed = new Set(declared.map(factKey));
    const used: Record<string, FactValue> = {};
    const reader: FactReader = {
      get: <V extends FactValue>(request: FactRequest<V>): V => {
        const key = factKey(request);
        if (!allowed.has(key)) throw new UndeclaredFactError(key);
        const failure = this.failures.get(key);
        if (failure) throw failure;
        const value = this.predicted.has(key) && options.asRead !== true ? this.predicted.get(key) : this.read.get(key);
        if (value === undefined) throw new UndeclaredFactError(key);
        used[key] = value;
        return value as V;
      },
    };
    return { reader, used };
  }
}

/** A module read a fact it did not declare: a bug in the module, reported on its task. */
export class UndeclaredFactError extends FleetError {
  constructor(key: string) {
    super("MODULE_UNDECLARED_FACT", `the module read fact ${key} without declaring it`, { hint: "this is a bug in the module; please report it" });
  }
}
