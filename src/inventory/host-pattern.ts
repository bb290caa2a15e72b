/**
 * Host entries of an inventory (`web[01:20].example.com:2222`): the optional port and the
 * expansion of [START:END(:STEP)] ranges, following Ansible's parse_address and
 * expand_hostname_range. Where Ansible silently yields no host (a range whose start is after its
 * end) fleet reports an error instead.
 */

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexadecimalRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alphanumericRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const ipv6Component = `(?:[0-9a-f]{1,4}|${hexadecimalRange})`;
const ipv4Component = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
const word = String.raw`[\p{L}\p{N}_]`;
const label = `(?:${word}|${alphanumericRange})(?:[\\p{L}\\p{N}_-]|${alphanumericRange})*(?<![_-])`;

const bracketedHostPort = /^\[(.+)\]:([0-9]+)$/;
const hostPort = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const ipv4Address = new RegExp(`^(?:${ipv4Component}\\.){3}${ipv4Component}$`, "i");
const ipv6Address = new RegExp(
  "^(?:" +
    [
      `(?:${ipv6Component}:){7}${ipv6Component}`,
      `(?:${ipv6Component}:){1,6}:`,
      `(?:${ipv6Component}:)(?::${ipv6Component}){1,6}`,
      `(?:${ipv6Component}:){2}(?::${ipv6Component}){1,5}`,
      `(?:${ipv6Component}:){3}(?::${ipv6Component}){1,4}`,
      `(?:${ipv6Component}:){4}(?::${ipv6Component}){1,3}`,
      `(?:${ipv6Component}:){5}(?::${ipv6Component}){1,2}`,
      `(?:${ipv6Component}:){6}(?::${ipv6Component})`,
      `:(?::${ipv6Component}){1,6}`,
      `${ipv6Component}?::`,
      `(?:0:){6}(?:${ipv6Component}\\.){3}${ipv6Component}`,
      `::(?:ffff:)?(?:${ipv6Component}\\.){3}${ipv6Component}`,
      `(?:0:){5}ffff:(?:${ipv6Component}\\.){3}${ipv6Component}`,
    ].join("|") +
    ")$",
  "i",
);
const hostName = new RegExp(`^${label}(?:\\.${label})*$`, "iu");

export interface HostEntry {
  /** The host name, possibly still holding ranges. */
  pattern: string;
  port: number | undefined;
}

function isAddressOrName(text: string): boolean {
  return ipv4Address.test(text) || ipv6Address.test(text) || hostName.test(text);
}

/** Whether Ansible's parse_address accepts the text (an address or name, ranges allowed, optional port). */
export function parsesAsAddress(entry: string): boolean {
  let address = entry;
  for (const pattern of [bracketedHostPort, hostPort]) {
    const match = pattern.exec(address);
    if (match) address = match[1] ?? "";
  }
  return isAddressOrName(address);
}

/** Split `name:port` / `[address]:port`; anything Ansible would not read as an address stays whole. */
export function splitHostPort(entry: string): HostEntry {
  let address = entry;
  let port: number | undefined;
  for (const pattern of [bracketedHostPort, hostPort]) {
    const match = pattern.exec(address);
    if (match) {
      address = match[1] ?? "";
      port = Number(match[2]);
    }
  }
  if (port === undefined || !isAddressOrName(address)) return { pattern: entry, port: undefined };
  return { pattern: address, port };
}

export class HostRangeError extends Error {
  /** What to do about it, when the range syntax hint does not fit. */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/**
 * The most host names one entry may expand to. Far above a real inventory (the benchmark's 10,000
 * hosts are 100 entries), far below what exhausts memory: `web[0:99999999]` is refused at once
 * instead of being expanded for minutes.
 */
export const MAX_HOSTS_PER_ENTRY = 100_000;

const asciiLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** One [START:END(:STEP)] of a host name, checked, not yet expanded. */
interface HostRange {
  /** How many items it gives (not exact beyond 2^53, which only matters for the limit). */
  count: number;
  items(): string[];
}

/**
 * Expand every [START:END(:STEP)] range of a host name, leftmost first (the leftmost range varies
 * slowest). Every range is checked and the names are counted before any is made, so a range that
 * would give more than MAX_HOSTS_PER_ENTRY names is an error, not an endless loop.
 */
export function expandHostRanges(pattern: string): string[] {
  if (!pattern.includes("[")) return [pattern];
  const { texts, ranges } = parseHostRanges(pattern);
  let total = 1;
  for (const range of ranges) total *= range.count;
  if (total > MAX_HOSTS_PER_ENTRY) {
    const shown = total >= 1e15 ? "more than 10^15" : total.toLocaleString("en-US");
    throw new HostRangeError(
      `host range "${pattern}" expands to ${shown} hosts; fleet expands at most ${MAX_HOSTS_PER_ENTRY.toLocaleString("en-US")} from one entry`,
      "check the range's end (web[0:99999999] is 100 million hosts); a fleet that large is split into several entries",
    );
  }
  let names = [texts[0] ?? ""];
  ranges.forEach((range, index) => {
    const items = range.items();
    const after = texts[index + 1] ?? "";
    const next: string[] = [];
    for (const name of names) for (const item of items) next.push(name + item + after);
    names = next;
  });
  return names;
}

/**
 * The text between the ranges (one more than there are ranges) and the ranges, as Ansible's
 * expand_hostname_range finds them: the first "[" and the first "]", then the same in the rest.
 */
function parseHostRanges(pattern: string): { texts: string[]; ranges: HostRange[] } {
  const texts: string[] = [];
  const ranges: HostRange[] = [];
  let rest = pattern;
  while (rest.includes("[")) {
    const open = rest.indexOf("[");
    const close = rest.indexOf("]");
    if (close < open || rest.indexOf("|") !== -1) {
      throw new HostRangeError(`unbalanced brackets in host range "${pattern}"`);
    }
    texts.push(rest.slice(0, open));
    ranges.push(parseRange(rest.slice(open + 1, close), pattern));
    rest = rest.slice(close + 1);
  }
  texts.push(rest);
  return { texts, ranges };
}

function parseRange(body: string, pattern: string): HostRange {
  const bounds = body.split(":");
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new HostRangeError(`host range [${body}] in "${pattern}" must be [START:END] or [START:END:STEP]`);
  }
  const begin = bounds[0] === "" ? "0" : (bounds[0] ?? "0");
  const end = bounds[1] ?? "";
  const stepText = bounds[2] ?? "1";
  if (end === "") throw new HostRangeError(`host range [${body}] in "${pattern}" has no end`);
  if (!/^[0-9]+$/.test(stepText) || BigInt(stepText) === 0n) {
    throw new HostRangeError(`host range [${body}] in "${pattern}" has an invalid step "${stepText}" (a positive integer is needed)`);
  }
  const width = begin.length > 1 && begin.startsWith("0") ? begin.length : 0;
  if (width > 0 && end.length !== width) {
    throw new HostRangeError(`host range [${body}] in "${pattern}": zero-padded start and end must have the same width`);
  }
  const beginLetter = begin.length === 1 ? asciiLetters.indexOf(begin) : -1;
  const endLetter = end.length === 1 ? asciiLetters.indexOf(end) : -1;
  if (beginLetter >= 0 && endLetter >= 0) {
    if (beginLetter > endLetter) throw new HostRangeError(`host range [${body}] in "${pattern}": start ${begin} is after end ${end}`);
    const step = Number(stepText);
    return {
      count: Math.floor((endLetter - beginLetter) / step) + 1,
      items: () => {
        const letters: string[] = [];
        for (let index = beginLetter; index <= endLetter; index += step) letters.push(asciiLetters[index] ?? "");
        return letters;
      },
    };
  }
  if (!/^[0-9]+$/.test(begin) || !/^[0-9]+$/.test(end)) {
    throw new HostRangeError(`host range [${body}] in "${pattern}" mixes letters and numbers or is not a range`);
  }
  // Exact for numbers of any size, as Python's: past 2^53 a Number would stop counting.
  const first = BigInt(begin);
  const last = BigInt(end);
  const step = BigInt(stepText);
  if (first > last) throw new HostRangeError(`host range [${body}] in "${pattern}": start ${begin} is after end ${end}`);
  return {
    count: Number((last - first) / step + 1n),
    items: () => {
      const items: string[] = [];
      for (let value = first; value <= last; value += step) items.push(value.toString().padStart(width, "0"));
      return items;
    },
  };
}
