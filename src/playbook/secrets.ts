import { messageOf } from "../errors.js";
import type { Vars } from "../inventory/types.js";
import type { Play } from "./types.js";
import { taskVariables } from "./vars.js";

/**
 * The secret values of a run, collected before the first host is touched: the values of the variables
 * a play names in `secret_vars`, of the inventory variables Ansible treats as secrets, and the
 * secrets fleet is given through its environment. Output and reports mask every occurrence of
 * them (engine/secret-mask.ts). Pure: variables in, values and warnings out.
 */

/** Inventory variables whose values are secrets in Ansible, whatever the playbook says. */
export const ANSIBLE_SECRET_VARS = ["ansible_password", "ansible_ssh_pass", "ansible_become_password", "ansible_become_pass", "ansible_ssh_private_key_passphrase"] as const;

/**
 * Shorter values are not masked: masking `abc` everywhere would garble the output (every word
 * holding it) while hiding little, since so short a secret falls to guessing anyway. Each such
 * variable gets a warning naming it (never its value).
 */
export const MIN_SECRET_LENGTH = 6;

/** Why a value cannot be masked, or null when it can. Empty values need no masking. */
export function unmaskableReason(value: string): "empty" | "short" | "mask" | null {
  const trimmed = value.trim();
  if (trimmed === "") return "empty";
  if (trimmed.length < MIN_SECRET_LENGTH) return "short";
  // a secret made of the mask's own character would be found again in every mask
  if (/^\*+$/.test(trimmed)) return "mask";
  return null;
}

export interface SecretHost {
  name: string;
  /** The host's variables as tasks see them below the play's (inventory vars, magic vars). */
  vars: Vars;
}

export interface SecretInput {
  /** The plays of the playbook (none for `fleet exec`). */
  plays: ReadonlyArray<Pick<Play, "defaults" | "vars" | "varsFiles" | "location" | "secretVars" | "tasks" | "handlers">>;
  hosts: readonly SecretHost[];
  extraVars: Vars;
  /** Secrets given to fleet itself (the become password, the key passphrase), by where they came from. */
  given: ReadonlyArray<{ what: string; value: string | undefined }>;
}

export interface CollectedSecrets {
  /** Values to mask, each long enough to mask. */
  values: string[];
  warnings: string[];
}

const NO_PLAY: SecretInput["plays"][number] = { defaults: {}, vars: {}, varsFiles: [], location: { file: "inventory" }, secretVars: [], tasks: [], handlers: [] };

export function collectSecrets(input: SecretInput): CollectedSecrets {
  const values = new Set<string>();
  const short = new Map<string, Set<string>>();
  const unreadable = new Map<string, string>();
  const defined = new Set<string>();
  const take = (what: string, where: string, value: unknown): void => {
    for (const leaf of leaves(value)) {
      const reason = unmaskableReason(leaf);
      if (reason === null) values.add(leaf);
      else if (reason !== "empty") short.set(what, (short.get(what) ?? new Set()).add(where));
    }
  };

  const plays = input.plays.length === 0 ? [NO_PLAY] : input.plays;
  const named = [...new Set(plays.flatMap((play) => play.secretVars))];
  // a registered result named secret is known only when its task has run (see secretsOfResult)
  for (const play of plays) for (const name of play.secretVars) if (registeredIn(play, name)) defined.add(name);
  for (const play of plays) {
    const names = [...new Set([...play.secretVars, ...ANSIBLE_SECRET_VARS])];
    for (const host of input.hosts) {
      const layers = [play.defaults, host.vars, play.vars, ...play.varsFiles.map((file) => file.vars), input.extraVars];
      const present = names.filter((name) => layers.some((layer) => Object.hasOwn(layer, name)));
      if (present.length === 0) continue;
      const variables = taskVariables({ hostVars: host.vars, play, extraVars: input.extraVars, registered: {}, facts: undefined });
      for (const name of present) {
        defined.add(name);
        // every value written for it counts, also those a higher layer replaces
        for (const layer of layers) {
          if (Object.hasOwn(layer, name) && !hasTemplate(layer[name])) take(name, host.name, layer[name]);
        }
        try {
          take(name, host.name, variables[name]);
        } catch (error) {
          if (!unreadable.has(name)) unreadable.set(name, `${host.name}: ${messageOf(error)}`);
        }
      }
    }
  }
  for (const { what, value } of input.given) if (value !== undefined) take(what, "", value);

  const warnings: string[] = [];
  for (const [name, where] of short) {
    const hosts = [...where].filter((host) => host !== "");
    warnings.push(`the secret ${name}${hosts.length > 0 ? ` (on ${listed(hosts)})` : ""} is shorter than ${MIN_SECRET_LENGTH} characters (or is only "*"): too short to mask without garbling the output, so it is NOT masked; use a longer secret, or no_log: true on the tasks that show it`);
  }
  for (const [name, why] of unreadable) {
    warnings.push(`the secret ${name} cannot be known before the run (${why}), so it is not masked: give it a value that needs no facts or registered results`);
  }
  for (const name of named) {
    if (!defined.has(name)) warnings.push(`secret_vars names ${name}, which no host, play, vars file or -e defines: nothing to mask (a misspelt name?)`);
  }
  return { values: [...values], warnings };
}

/**
 * The values a task result adds to the secrets: the command output of a task whose `register` its
 * play names in secret_vars (its message is fleet's own words, or a line of that output). The mask
 * takes them before the result is shown.
 */
export function secretsOfResult(plays: ReadonlyArray<Pick<Play, "secretVars" | "tasks" | "handlers">>, result: { play: number; task: number; handler: boolean; output: { stdout: string; stderr: string } | null }): string[] {
  const play = plays[result.play];
  const task = (result.handler ? play?.handlers : play?.tasks)?.[result.task];
  if (play === undefined || task?.register === undefined || !play.secretVars.includes(task.register)) return [];
  return [result.output?.stdout ?? "", result.output?.stderr ?? ""].filter((value) => unmaskableReason(value) === null);
}

const registeredIn = (play: Pick<Play, "tasks" | "handlers">, name: string): boolean => [...play.tasks, ...play.handlers].some((task) => task.register === name);

/** The strings and numbers in a value (lists and mappings walked); booleans and null are no secrets. */
function leaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number" && Number.isFinite(value)) return [String(value)];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(leaves);
  return [];
}

function hasTemplate(value: unknown): boolean {
  return leaves(value).some((leaf) => leaf.includes("{{"));
}

function listed(hosts: readonly string[]): string {
  return hosts.length <= 3 ? hosts.join(", ") : `${hosts.slice(0, 3).join(", ")} and ${hosts.length - 3} more`;
}
