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

export class HostRangeError extends Error {}

const asciiLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Expand every [START:END(:STEP)] range of a host name, leftmost first. */
export function expandHostRanges(pattern: string): string[] {
  if (!pattern.includes("[")) return [pattern];
  const open = pattern.indexOf("[");
  const close = pattern.indexOf("]");
  if (close < open || pattern.indexOf("|") !== -1) {
    throw new HostRangeError(`unbalanced brackets in host range "${pattern}"`);
  }
  const head = pattern.slice(0, open);
  const body = pattern.slice(open + 1, close);
  const tail = pattern.slice(close + 1);
  const names: string[] = [];
  for (const item of rangeItems(body, pattern)) {
    const name = head + item + tail;
    if (name.includes("[")) names.push(...expandHostRanges(name));
    else names.push(name);
  }
  return names;
}

function rangeItems(body: string, pattern: string): string[] {
  const bounds = body.split(":");
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new HostRangeError(`host range [${body}] in "${pattern}" must be [START:END] or [START:END:STEP]`);
  }
  const begin = bounds[0] === "" ? "0" : (bounds[0] ?? "0");
  const end = bounds[1] ?? "";
  const stepText = bounds[2] ?? "1";
  if (end === "") throw new HostRangeError(`host range [${body}] in "${pattern}" has no end`);
  if (!/^[0-9]+$/.test(stepText) || Number(stepText) === 0) {
    throw new HostRangeError(`host range [${body}] in "${pattern}" has an invalid step "${stepText}" (a positive integer is needed)`);
  }
  const step = Number(stepText);
  const width = begin.length > 1 && begin.startsWith("0") ? begin.length : 0;
  if (width > 0 && end.length !== width) {
    throw new HostRangeError(`host range [${body}] in "${pattern}": zero-padded start and end must have the same width`);
  }
  const beginLetter = begin.length === 1 ? asciiLetters.indexOf(begin) : -1;
  const endLetter = end.length === 1 ? asciiLetters.indexOf(end) : -1;
  if (beginLetter >= 0 && endLetter >= 0) {
    if (beginLetter > endLetter) throw new HostRangeError(`host range [${body}] in "${pattern}": start ${begin} is after end ${end}`);
    const letters: string[] = [];
    for (let index = beginLetter; index <= endLetter; index += step) letters.push(asciiLetters[index] ?? "");
    return letters;
  }
  if (!/^[0-9]+$/.test(begin) || !/^[0-9]+$/.test(end)) {
    throw new HostRangeError(`host range [${body}] in "${pattern}" mixes letters and numbers or is not a range`);
  }
  const first = Number(begin);
  const last = Number(end);
  if (first > last) throw new HostRangeError(`host range [${body}] in "${pattern}": start ${begin} is after end ${end}`);
  const items: string[] = [];
  for (let value = first; value <= last; value += step) items.push(String(value).padStart(width, "0"));
  return items;
}
