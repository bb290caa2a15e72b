import { z } from "zod";

/**
 * Argument schemas shared by the file modules. Every problem is a zod issue at the argument's
 * path, with a message that says what to write instead.
 */

/** An object of arguments that rejects unknown keys, naming them and the known ones. */
export function argsObject<Shape extends z.ZodRawShape>(module: string, shape: Shape) {
  const known = Object.keys(shape).sort().join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `unknown argument${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")} of ${module} (it takes ${known})` : undefined),
  });
}

/**
 * An absolute path. "//" and a trailing "/" are folded, so a file has one fact key whichever way
 * it is written; "." and ".." parts are refused rather than resolved (the host resolves ".." after
 * symlinks, a lexical fold would not).
 */
export const absolutePath = z.string().transform((value, ctx) => {
  const problem = pathProblem(value);
  if (problem !== null) {
    ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  }
  return normalisePath(value);
});

function pathProblem(value: string): string | null {
  if (!value.startsWith("/")) return `must be an absolute path (got ${JSON.stringify(value)})`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return "must not contain control characters (newline, tab, NUL)";
  if (value.split("/").some((part) => part === "." || part === "..")) return `must not contain "." or ".." parts (got ${JSON.stringify(value)})`;
  return null;
}

export function normalisePath(path: string): string {
  const folded = path.replace(/\/+/g, "/");
  return folded.length > 1 && folded.endsWith("/") ? folded.slice(0, -1) : folded;
}

/** The directory that holds `path` ("/" for "/x"). */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}

/**
 * A mode: a string of 3 or 4 octal digits ("644", "0644"), or a YAML number whose digits are the
 * octal digits (644 → "0644"). Always four digits after parsing. A number that only makes sense
 * as a YAML 1.1 octal literal read as decimal (`0644` → 420, `0400` → 256) is refused: it would
 * otherwise silently become mode 0420.
 */
export const modeArg = z.union([z.string(), z.number()], { error: (issue) => `must be an octal mode like "0644" (got ${describeInput(issue.input)})` }).transform((value, ctx) => {
  const parsed = parseMode(value);
  if (typeof parsed === "string") return parsed;
  ctx.addIssue({ code: "custom", message: parsed.problem });
  return z.NEVER;
});

function parseMode(value: string | number): string | { problem: string } {
  if (typeof value === "string") return /^[0-7]{3,4}$/.test(value) ? value.padStart(4, "0") : { problem: `must be an octal mode of 3 or 4 digits, like "0644" (got ${JSON.stringify(value)})` };
  const digits = String(value);
  if (!Number.isInteger(value) || !/^[0-7]{3,4}$/.test(digits)) {
    return { problem: `must be an octal mode like "0644" (got the number ${value}; a YAML 1.1 reader turns 0644 into 420: quote the mode)` };
  }
  const mode = digits.padStart(4, "0");
  if (!permissionsNarrowOutward(mode)) {
    return { problem: `the number ${value} reads as mode ${mode}, which grants group or others more than the owner: if you meant an octal literal, quote it ("0${value.toString(8)}" was read as ${value} by YAML 1.1)` };
  }
  return mode;
}

/** Neither group nor others have a permission the owner lacks (0701 is fine, 0420 is not). */
function permissionsNarrowOutward(mode: string): boolean {
  const [owner, group, other] = [Number(mode[1]), Number(mode[2]), Number(mode[3])];
  return (group & ~owner) === 0 && (other & ~owner) === 0;
}

/** A user or group name as stat prints it; numeric ids are refused (stat reports names, a uid would never compare equal). */
export const accountName = (what: "owner" | "group") =>
  z.union([z.string(), z.number()], { error: (issue) => `must be a ${what === "owner" ? "user" : "group"} name (got ${describeInput(issue.input)})` }).transform((value, ctx) => {
    if (typeof value === "number" || /^[0-9]+$/.test(value)) {
      ctx.addIssue({ code: "custom", message: `give the ${what} by name, not by number (got ${value}): fleet compares with the name stat prints` });
      return z.NEVER;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(value)) {
      ctx.addIssue({ code: "custom", message: `must be a ${what === "owner" ? "user" : "group"} name (letters, digits, "_", ".", "-"; got ${JSON.stringify(value)})` });
      return z.NEVER;
    }
    return value;
  });

/** mode, owner and group: the attributes every file module can set. */
export const attributeShape = {
  mode: modeArg.optional(),
  owner: accountName("owner").optional(),
  group: accountName("group").optional(),
};

/** A wrong input in a message: strings and numbers as written, other things by type. */
export function describeInput(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "null";
  if (typeof input === "string" || typeof input === "number" || typeof input === "boolean") return JSON.stringify(input);
  return Array.isArray(input) ? "a list" : `a ${typeof input === "object" ? "mapping" : typeof input}`;
}
