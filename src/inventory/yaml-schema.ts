import type { ScalarTag, Tags } from "yaml";

/**
 * Scalar resolution as PyYAML's SafeLoader does it (YAML 1.1), because Ansible reads inventories
 * with PyYAML: `yes`/`on` are booleans but `y` is a string, `010` is octal, `1:20` is 80
 * (sexagesimal), `1e3` is a string (a float needs a dot), and timestamps become Python dates,
 * which ansible-inventory prints in ISO format. The yaml package's own 1.1 schema differs on
 * several of these, so its scalar tags are replaced by the ones below.
 */

const boolPattern = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const floatPattern =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const intPattern =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const nullPattern = /^(?:~|null|Null|NULL|)$/;
const timestampPattern =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;
const timestampParts =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/;

function sexagesimal(text: string, parse: (part: string) => number): number {
  return text.split(":").reduce((total, part) => total * 60 + parse(part), 0);
}

export function resolvePyYamlInt(source: string): number {
  let text = source.replace(/_/g, "");
  const sign = text.startsWith("-") ? -1 : 1;
  if (text.startsWith("-") || text.startsWith("+")) text = text.slice(1);
  if (text === "0") return 0;
  if (text.startsWith("0b")) return sign * parseInt(text.slice(2), 2);
  if (text.startsWith("0x")) return sign * parseInt(text.slice(2), 16);
  if (text.startsWith("0")) return sign * parseInt(text, 8);
  if (text.includes(":")) return sign * sexagesimal(text, (part) => parseInt(part, 10));
  return sign * parseInt(text, 10);
}

export function resolvePyYamlFloat(source: string): number {
  let text = source.replace(/_/g, "").toLowerCase();
  const sign = text.startsWith("-") ? -1 : 1;
  if (text.startsWith("-") || text.startsWith("+")) text = text.slice(1);
  if (text === ".inf") return sign * Infinity;
  if (text === ".nan") return NaN;
  if (text.includes(":")) return sign * sexagesimal(text, (part) => parseFloat(part));
  return sign * parseFloat(text);
}

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

/** A YAML timestamp as Python's date/datetime isoformat() prints it. */
export function resolvePyYamlTimestamp(source: string, onError: (message: string) => void): string {
  const match = timestampParts.exec(source);
  if (!match) {
    onError(`invalid timestamp ${source}`);
    return source;
  }
  const [, year, month, day, hour, minute, second, fraction, tz, tzSign, tzHour, tzMinute] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) {
    onError(`invalid date ${source}`);
    return source;
  }
  const datePart = `${year}-${pad(Number(month))}-${pad(Number(day))}`;
  if (hour === undefined) return datePart;
  let text = `${datePart}T${pad(Number(hour))}:${minute}:${second}`;
  const micros = (fraction ?? "").slice(0, 6).padEnd(6, "0");
  if (fraction && Number(micros) !== 0) text += `.${micros}`;
  if (tzSign !== undefined) {
    const offsetMinutes = Number(tzHour) * 60 + Number(tzMinute ?? 0);
    const sign = tzSign === "-" && offsetMinutes !== 0 ? "-" : "+";
    text += `${sign}${pad(Math.floor(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`;
  } else if (tz === "Z") {
    text += "+00:00";
  }
  return text;
}

const pyYamlScalarTags: ScalarTag[] = [
  { tag: "tag:yaml.org,2002:null", default: true, test: nullPattern, resolve: () => null, identify: (value) => value === null },
  {
    tag: "tag:yaml.org,2002:bool",
    default: true,
    test: boolPattern,
    resolve: (text) => /^(?:yes|true|on)$/i.test(text),
    identify: (value) => typeof value === "boolean",
  },
  {
    tag: "tag:yaml.org,2002:int",
    default: true,
    test: intPattern,
    resolve: (text) => resolvePyYamlInt(text),
    identify: (value) => typeof value === "number" && Number.isInteger(value),
  },
  {
    tag: "tag:yaml.org,2002:float",
    default: true,
    test: floatPattern,
    resolve: (text) => resolvePyYamlFloat(text),
    identify: (value) => typeof value === "number",
  },
  {
    tag: "tag:yaml.org,2002:timestamp",
    default: true,
    test: timestampPattern,
    resolve: (text, onError) => resolvePyYamlTimestamp(text, onError),
  },
  // Ansible's marker for strings that must never be templated; the text itself is what matters here.
  { tag: "!unsafe", resolve: (text) => text },
  // Ansible's vault tags: known, so that yaml does not warn; the reader reports them as unsupported.
  { tag: "!vault", resolve: (text) => text },
  { tag: "!vault-encrypted", resolve: (text) => text },
];

const replacedTags = new Set(pyYamlScalarTags.map((tag) => tag.tag));

/** customTags for yaml's parseDocument: the yaml-1.1 schema with PyYAML's scalar resolution. */
export function pyYamlTags(tags: Tags): Tags {
  const kept = tags.filter((tag) => {
    const name = typeof tag === "object" && "tag" in tag ? tag.tag : undefined;
    return name === undefined || !replacedTags.has(name);
  });
  return [...kept, ...pyYamlScalarTags];
}
