import type { SourceLocation } from "../errors.js";
import type { InventoryBuilder } from "./builder.js";
import { expandHostRanges, HostRangeError, splitHostPort } from "./host-pattern.js";
import { InventoryCode, inventoryProblem } from "./problems.js";
import { iniValue } from "./python-literal.js";
import { ShlexError, shlexSplit } from "./shlex.js";
import type { VarValue } from "./types.js";

/**
 * Reads an INI inventory (Ansible's ini plugin format) into the builder:
 *
 *   host0 ansible_port=2222        lines before any section go to "ungrouped"
 *   [web]                          host lines: NAME-or-RANGE[:PORT] key=value ...
 *   web[01:20] ansible_user=admin
 *   [web:vars]                     key=value lines (the value is taken raw, then literal_eval'd)
 *   [prod:children]                child group names; may be declared further down
 *
 * Every bad line is reported with its line number; reading goes on with the next line.
 */
export function readIniInventory(builder: InventoryBuilder, file: string, text: string): void {
  new IniReader(builder, file).read(withoutByteOrderMark(text));
}

/**
 * A UTF-8 byte order mark (as Windows editors write) is not part of the first line. Ansible keeps
 * it there, so a file starting with `[group]` fails and a first host's name gets the mark glued on.
 */
function withoutByteOrderMark(text: string): string {
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/** "skip": the lines under a section header that was reported as invalid. */
type SectionKind = "hosts" | "vars" | "children" | "skip";

interface Pending {
  at: SourceLocation;
  kind: "vars" | "children";
  /** For a child group named before its own section: the groups that listed it. */
  parents: string[];
}

const sectionPattern = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const groupNamePattern = /^([^:\]\s]+)\s*(?:#.*)?$/;
const lineBreaks = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

class IniReader {
  private group = "ungrouped";
  private kind: SectionKind = "hosts";
  private lineNumber = 0;
  /** Column of the current line's first non-blank character. */
  private column = 1;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly builder: InventoryBuilder,
    private readonly file: string,
  ) {}

  private get here(): SourceLocation {
    return { file: this.file, line: this.lineNumber, column: this.column };
  }

  private problem(message: string, hint?: string, code: Parameters<typeof inventoryProblem>[0] = InventoryCode.iniSyntax): void {
    this.builder.report(inventoryProblem(code, message, this.here, hint));
  }

  read(text: string): void {
    for (const rawLine of text.split(lineBreaks)) {
      this.lineNumber++;
      const line = rawLine.trim();
      this.column = rawLine.length - rawLine.trimStart().length + 1;
      if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
      const section = sectionPattern.exec(line);
      if (section) {
        this.enterSection(section[1] ?? "", section[2]);
      } else if (line.startsWith("[") && line.endsWith("]")) {
        this.problem(
          `invalid section header ${line}`,
          "section headers are [GROUP], [GROUP:vars] or [GROUP:children], without spaces or other characters",
        );
        this.kind = "skip";
      } else if (this.kind === "hosts") {
        this.readHostLine(line);
      } else if (this.kind === "vars") {
        this.readVarLine(line);
      } else if (this.kind === "children") {
        this.readChildLine(line);
      }
    }
    this.reportUnresolved();
  }

  private enterSection(group: string, tag: string | undefined): void {
    const kind = tag ?? "hosts";
    if (kind !== "hosts" && kind !== "vars" && kind !== "children") {
      this.problem(`section [${group}:${kind}] has unknown type "${kind}"`, "the section types are :vars and :children (none means hosts)");
      this.kind = "skip";
      return;
    }
    this.group = group;
    this.kind = kind;
    if (!this.builder.groups.has(group)) {
      // [g] and [g:children] declare a group; [g:vars] alone must be matched by a declaration.
      if (kind === "vars" && !this.pending.has(group)) this.pending.set(group, { at: this.here, kind, parents: [] });
      this.builder.addGroup(group);
    }
    const waiting = this.pending.get(group);
    if (waiting !== undefined && kind !== "vars") {
      if (waiting.kind === "children") this.resolvePendingChild(group);
      else this.pending.delete(group);
    }
  }

  private resolvePendingChild(group: string): void {
    const waiting = this.pending.get(group);
    if (waiting === undefined) return;
    this.pending.delete(group);
    for (const parent of waiting.parents) {
      this.builder.addChild(parent, group, waiting.at);
      if (this.pending.get(parent)?.kind === "children") this.resolvePendingChild(parent);
    }
  }

  private readHostLine(line: string): void {
    let words: string[];
    try {
      words = shlexSplit(line);
    } catch (error) {
      if (!(error instanceof ShlexError)) throw error;
      this.problem(`cannot split host line "${line}": ${error.message}`, "close the quote, or escape the character with a backslash");
      return;
    }
    const [entry, ...assignments] = words;
    if (entry === undefined) return;
    const { pattern, port } = splitHostPort(entry);
    if (entry.endsWith(":") && port === undefined) {
      this.problem(
        `invalid host "${entry}": a host name may not end with ':'`,
        "':' introduces a port (name:2222); if this is YAML, give the file a .yml extension",
      );
      return;
    }
    let names: string[];
    try {
      names = expandHostRanges(pattern);
    } catch (error) {
      if (!(error instanceof HostRangeError)) throw error;
      this.problem(error.message, error.hint, InventoryCode.range);
      return;
    }
    if (names.some((name) => name.trim() === "---")) {
      this.problem("invalid host \"---\"", "'---' starts a YAML document; give a YAML inventory a .yml extension");
      return;
    }
    const vars: Array<[string, VarValue]> = [];
    for (const assignment of assignments) {
      const equals = assignment.indexOf("=");
      if (equals < 0) {
        this.problem(`expected key=value after the host name, got "${assignment}"`, "host variables are written key=value; quote values with spaces");
        return;
      }
      vars.push([assignment.slice(0, equals), iniValue(assignment.slice(equals + 1))]);
    }
    if (!this.builder.admitHosts(names, this.here)) return;
    for (const name of names) {
      this.builder.addHost(name, this.group, port, this.here);
      for (const [key, value] of vars) this.builder.setHostVar(name, key, value, this.here);
    }
  }

  private readVarLine(line: string): void {
    const equals = line.indexOf("=");
    if (equals < 0) {
      this.problem(`expected key=value in [${this.group}:vars], got "${line}"`);
      return;
    }
    const key = line.slice(0, equals).trim();
    this.builder.setGroupVar(this.group, key, iniValue(line.slice(equals + 1).trim()), this.here);
  }

  private readChildLine(line: string): void {
    const match = groupNamePattern.exec(line);
    if (!match) {
      this.problem(`expected a group name in [${this.group}:children], got "${line}"`);
      return;
    }
    const child = match[1] ?? "";
    if (this.builder.groups.has(child)) {
      this.builder.addChild(this.group, child, this.here);
      return;
    }
    const waiting = this.pending.get(child);
    if (waiting === undefined) this.pending.set(child, { at: this.here, kind: "children", parents: [this.group] });
    else waiting.parents.push(this.group);
  }

  private reportUnresolved(): void {
    for (const [group, waiting] of this.pending) {
      const message =
        waiting.kind === "vars"
          ? `section [${group}:vars] is for group "${group}", which is never declared`
          : `[${waiting.parents.join(":children], [")}:children] names group "${group}", which is never declared`;
      this.builder.report(inventoryProblem(InventoryCode.undefinedGroup, message, waiting.at));
    }
  }
}
