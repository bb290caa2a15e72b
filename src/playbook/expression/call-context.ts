import type { Missing } from "./missing.js";

/** What a filter or test may do besides returning: fail at its name's column, or yield undefined. */
export interface CallContext {
  /** Throw an evaluation error pointing at the filter or test name. */
  fail(message: string, hint: string): never;
  /** How the input is named in messages, e.g. `r.stdout_lines`. */
  readonly inputPath: string;
  /** An undefined result, e.g. `first` of an empty list, with why it is undefined. */
  missing(reason: string): Missing;
}
