import { readFileSync } from "node:fs";
import { messageOf } from "../errors.js";
import { closestNames } from "./closest.js";
import { globToRegExp, looksLikeGlob } from "./fnmatch.js";
import { groupHostNames } from "./group-hosts.js";
import { parsesAsAddress } from "./host-pattern.js";
import { InventoryCode, inventoryUsageProblem } from "./problems.js";
import type { Inventory, InventoryHost } from "./types.js";

/**
 * Hosts matching an Ansible host pattern, in inventory order, each once.
 *
 * Pattern terms are separated by `,` (or `:`): NAME (a group or host), a glob (`tb*`), a regular
 * expression (`~tb[0-9]+`), `all` or `*`, optionally with a subscript (`web[0]`, `web[1:3]`).
 * `&TERM` intersects and `!TERM` excludes; they apply after the plain terms, as in Ansible.
 * `@FILE` reads terms from a file, one per line. `limit` (the -l option) narrows the result the
 * same way Ansible's --limit does.
 *
 * Unlike Ansible, which only warns, a term that names no group or host is an error naming the
 * closest names, and so is a pattern that selects no host at all (both exit 5).
 */
export function selectHosts(inventory: Inventory, pattern?: string, limit?: string): InventoryHost[] {
  const matcher = new PatternMatcher(inventory);
  let names = matcher.evaluate(expandFiles(splitPattern(pattern ?? "all")));
  if (limit !== undefined) {
    const allowed = new Set(matcher.evaluate(expandFiles(splitPattern(limit))));
    names = names.filter((name) => allowed.has(name));
  }
  if (names.length === 0) {
    const what = limit === undefined ? `pattern "${pattern ?? "all"}"` : `pattern "${pattern ?? "all"}" with limit "${limit}"`;
    throw inventoryUsageProblem(
      InventoryCode.noMatch,
      `${what} selects no host`,
      inventory.hosts.size === 0 ? "the inventory has no hosts" : "each part matches something, but together (& and !) they leave no host; run `fleet inventory --graph` to see the groups",
    );
  }
  return names.map((name) => inventory.hosts.get(name)).filter((host): host is InventoryHost => host !== undefined);
}

/** Ansible's split_host_pattern: commas, or colons where the text is not an address or range. */
export function splitPattern(pattern: string): string[] {
  let terms: string[];
  if (pattern.includes(",")) terms = pattern.split(",");
  else if (parsesAsAddress(pattern)) terms = [pattern];
  else terms = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return terms.map((term) => term.trim()).filter((term) => term !== "");
}

function expandFiles(terms: readonly string[]): string[] {
  return terms.flatMap((term) => (term.startsWith("@") ? readPatternFile(term.slice(1)) : [term]));
}

function readPatternFile(path: string): string[] {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
  } catch (error) {
    throw inventoryUsageProblem(InventoryCode.limitFile, `cannot read pattern file ${path}: ${messageOf(error)}`);
  }
}

const subscripted = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/;

class PatternMatcher {
  private readonly groupHosts = new Map<string, string[]>();

  constructor(private readonly inventory: Inventory) {}

  /** Plain terms first, then & terms, then ! terms, as Ansible's order_patterns does. */
  evaluate(terms: readonly string[]): string[] {
    const plain = terms.filter((term) => !term.startsWith("&") && !term.startsWith("!"));
    const ordered = [
      ...(plain.length === 0 ? ["all"] : plain),
      ...terms.filter((term) => term.startsWith("&")),
      ...terms.filter((term) => term.startsWith("!")),
    ];
    let names: string[] = [];
    for (const term of ordered) {
      if (this.inventory.hosts.has(term)) {
        if (!names.includes(term)) names.push(term);
        continue;
      }
      const matched = this.matchTerm(term);
      if (term.startsWith("!")) {
        const excluded = new Set(matched);
        names = names.filter((name) => !excluded.has(name));
      } else if (term.startsWith("&")) {
        const kept = new Set(matched);
        names = names.filter((name) => kept.has(name));
      } else {
        const present = new Set(names);
        for (const name of matched) {
          if (present.has(name)) continue;
          present.add(name);
          names.push(name);
        }
      }
    }
    return names;
  }

  private matchTerm(term: string): string[] {
    const body = term.startsWith("&") || term.startsWith("!") ? term.slice(1) : term;
    const { expression, subscript } = splitSubscript(body);
    const { hosts, named } = this.enumerate(expression);
    if (!named) {
      const candidates = [...this.inventory.groups.keys(), ...this.inventory.hosts.keys()];
      const closest = closestNames(expression, candidates);
      throw inventoryUsageProblem(
        InventoryCode.noMatch,
        `"${expression}" matches no group or host`,
        closest.length > 0 ? `did you mean ${closest.map((name) => `"${name}"`).join(", ")}?` : undefined,
      );
    }
    return applySubscript(hosts, subscript, term);
  }

  /** Hosts of every group the expression matches, plus matching host names (Ansible's _enumerate_matches). */
  private enumerate(expression: string): { hosts: string[]; named: boolean } {
    const matcher = compileTerm(expression);
    const hosts: string[] = [];
    const groups = [...this.inventory.groups.keys()].filter((name) => matcher.test(name));
    // one push per host: spread as arguments, a group of 100,000 hosts overflows the stack
    for (const group of groups) for (const host of this.hostsOfGroup(group)) hosts.push(host);
    let hostMatches = 0;
    if (groups.length === 0 || expression.startsWith("~") || looksLikeGlob(expression)) {
      for (const name of this.inventory.hosts.keys()) {
        if (matcher.test(name)) {
          hosts.push(name);
          hostMatches++;
        }
      }
    }
    return { hosts: [...new Set(hosts)], named: groups.length > 0 || hostMatches > 0 };
  }

  private hostsOfGroup(group: string): string[] {
    let hosts = this.groupHosts.get(group);
    if (hosts === undefined) {
      hosts = groupHostNames(this.inventory.groups, group);
      this.groupHosts.set(group, hosts);
    }
    return hosts;
  }
}

function compileTerm(expression: string): RegExp {
  if (!expression.startsWith("~")) return globToRegExp(expression);
  try {
    return new RegExp(`^(?:${expression.slice(1)})`, "u");
  } catch (error) {
    throw inventoryUsageProblem(InventoryCode.pattern, `invalid regular expression in pattern "${expression}": ${messageOf(error)}`);
  }
}

interface Subscript {
  start: number;
  end: number | undefined;
}

function splitSubscript(term: string): { expression: string; subscript: Subscript | undefined } {
  if (term.startsWith("~")) return { expression: term, subscript: undefined };
  const match = subscripted.exec(term);
  if (!match) return { expression: term, subscript: undefined };
  const [, expression = term, index, start, , end] = match;
  if (index !== undefined) return { expression, subscript: { start: Number(index), end: undefined } };
  return { expression, subscript: { start: Number(start), end: end === "" || end === undefined ? -1 : Number(end) } };
}

/** Python slicing as Ansible applies it: [i] one host (negative counts from the end), [i:j] inclusive. */
function applySubscript(hosts: string[], subscript: Subscript | undefined, term: string): string[] {
  if (subscript === undefined || hosts.length === 0) return hosts;
  const { start, end } = subscript;
  if (end === undefined || end === 0) {
    const index = start < 0 ? hosts.length + start : start;
    const host = hosts[index];
    if (host === undefined) {
      throw inventoryUsageProblem(InventoryCode.noMatch, `"${term}": index ${start} is outside the ${hosts.length} matching hosts`, "subscripts count from 0");
    }
    return [host];
  }
  const last = end === -1 ? hosts.length - 1 : end;
  return hosts.slice(start, last + 1);
}
