import { unmaskableReason } from "../playbook/secrets.js";

/** What a secret is replaced with. */
export const SECRET_MASK = "********";

/**
 * Masks secret values by value: every occurrence of a secret, also inside a larger string, becomes
 * SECRET_MASK. Applied where results leave the engine (output, reports), never to what the engine
 * computes with. Pure and deterministic; with no secrets it returns its input unchanged.
 */
export class SecretMask {
  private readonly secrets = new Set<string>();

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  /**
   * Adds a secret and the forms it takes in output: trimmed (a value read from a file ends in a
   * newline), each line of a multi-line value (a command may print one line of a key), and escaped
   * as inside a JSON string. False when it is too short to mask (see playbook/secrets.ts).
   */
  add(value: string): boolean {
    if (unmaskableReason(value) !== null) return false;
    const forms = [value, value.trim(), ...value.split(/\r?\n/).map((line) => line.trim())];
    for (const form of forms) {
      if (unmaskableReason(form) !== null) continue;
      this.secrets.add(form);
      this.secrets.add(JSON.stringify(form).slice(1, -1));
    }
    return true;
  }

  get empty(): boolean {
    return this.secrets.size === 0;
  }

  /**
   * The text with every secret masked. Masking can bring a secret together from a mask and the
   * text beside it (a secret that holds "*"), so it is repeated until nothing is found; each round
   * removes at least one character that is not "*" (no secret is made only of "*"), so it ends.
   */
  text(text: string): string {
    if (this.secrets.size === 0) return text;
    let current = text;
    for (;;) {
      const next = this.maskOnce(current);
      if (next === current) return current;
      current = next;
    }
  }

  /** A copy of plain data (objects, arrays, strings) with every string, key or value, masked. */
  deep<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === "string") return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (isPlainObject(value)) {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) copy[this.text(key)] = this.walk(item);
      return copy;
    }
    return value;
  }

  /** One round: the characters a secret covers, each run of them replaced by one mask. */
  private maskOnce(text: string): string {
    const covered: Array<[number, number]> = [];
    for (const secret of this.secrets) {
      for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) covered.push([at, at + secret.length]);
    }
    if (covered.length === 0) return text;
    covered.sort((a, b) => a[0] - b[0]);
    let out = "";
    let position = 0;
    let run: [number, number] | undefined;
    for (const [start, end] of covered) {
      if (run !== undefined && start <= run[1]) {
        run[1] = Math.max(run[1], end);
        continue;
      }
      if (run !== undefined) {
        out += text.slice(position, run[0]) + SECRET_MASK;
        position = run[1];
      }
      run = [start, end];
    }
    if (run !== undefined) {
      out += text.slice(position, run[0]) + SECRET_MASK;
      position = run[1];
    }
    return out + text.slice(position);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
