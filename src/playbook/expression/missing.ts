/**
 * An undefined value during evaluation: an unknown variable, a missing key, an index out of range,
 * `first` of an empty list. It travels through attribute and index chains (`a.b.c` with `a`
 * undefined is undefined too) so that `is defined`, `is undefined` and `default()` can look at it;
 * anywhere else it becomes an "undefined variable" evaluation error.
 */
export class Missing {
  private readonly explain: string | (() => string);

  constructor(
    /** The full path asked for, e.g. `facts.kernel.slabx`. */
    readonly path: string,
    /** Why it is undefined, e.g. `facts.kernel has no key 'slabx'`; a function when costly to say. */
    reason: string | (() => string),
    /** 1-based column of the part that is missing. */
    readonly column: number,
    /** Whether the path starts at a variable (else at some computed value). */
    readonly fromVariable: boolean,
    /** Whether the variable the path starts at is itself unknown. */
    readonly unknownVariable = false,
  ) {
    this.explain = reason;
  }

  /** Why it is undefined; only errors need it, `is defined` and `default()` never ask. */
  get reason(): string {
    return typeof this.explain === "string" ? this.explain : this.explain();
  }

  /** The same missing value reached through one more attribute or index. */
  extend(path: string): Missing {
    return new Missing(path, this.explain, this.column, this.fromVariable, this.unknownVariable);
  }
}
