/**
 * Every error fleet reports to a user is a FleetError: a stable machine-readable code, a message
 * that says what went wrong (with file:line:column when it comes from a file), and a hint that says
 * what to do about it. The CLI prints these without a stack trace and maps them to exit codes.
 */
export type ErrorCategory = "usage" | "parse" | "runtime";

export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return text;
}

export class FleetError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly category: ErrorCategory;
  readonly location: SourceLocation | undefined;

  constructor(
    code: string,
    message: string,
    options: { hint?: string; category?: ErrorCategory; location?: SourceLocation; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.category = options.category ?? "runtime";
    this.location = options.location;
  }

  /** One-line headline plus an optional hint line, as the CLI prints it. */
  describe(): string {
    const where = this.location ? `${formatLocation(this.location)}: ` : "";
    const head = `${where}${this.message} [${this.code}]`;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }
}

/** A bad command line: unknown option, missing argument, conflicting flags. */
export class UsageError extends FleetError {
  constructor(code: string, message: string, hint?: string) {
    super(code, message, hint === undefined ? { category: "usage" } : { category: "usage", hint });
  }
}

/**
 * One or more problems in an input file (inventory, playbook, waivers). Collects every problem
 * found so the user can fix them all in one go.
 */
export class InputFileError extends FleetError {
  readonly problems: readonly FleetError[];

  constructor(problems: readonly FleetError[]) {
    const first = problems[0];
    super(first?.code ?? "FLEET_INPUT", first?.message ?? "input file problem", {
      category: "parse",
      ...(first?.hint === undefined ? {} : { hint: first.hint }),
      ...(first?.location === undefined ? {} : { location: first.location }),
    });
    this.problems = problems;
  }

  override describe(): string {
    return this.problems.map((problem) => problem.describe()).join("\n");
  }
}

/** Narrow an unknown thrown value to a message without trusting its shape. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
