import { FleetError, InputFileError } from "../errors.js";
import { SecretMask } from "../engine/secret-mask.js";
import type { Inventory, InventoryHost, Vars } from "../inventory/types.js";
import { collectSecrets, MIN_SECRET_LENGTH, unmaskableReason } from "../playbook/secrets.js";
import type { Playbook } from "../playbook/types.js";
import { SecretEnv } from "../transport/secret-env.js";

/**
 * The mask of a command's output: every secret fleet knows of before the first host is touched
 * (playbook/secrets.ts). Secrets typed at a prompt later are added as they are typed (see
 * openTransport). The warnings say which secrets cannot be masked.
 */
export interface OutputSecrets {
  mask: SecretMask;
  warnings: string[];
}

/** fleet run / audit: secret_vars, Ansible's secret inventory vars, fleet's own secrets. */
export function runSecrets(playbook: Pick<Playbook, "plays">, inventory: Inventory, extraVars: Vars, env: NodeJS.ProcessEnv, hostVars: (host: InventoryHost) => Vars): OutputSecrets {
  const hosts = [...inventory.hosts.values()].map((host) => ({ name: host.name, vars: hostVars(host) }));
  const { values, warnings } = collectSecrets({ plays: playbook.plays, hosts, extraVars, given: givenSecrets(env) });
  return { mask: new SecretMask(values), warnings };
}

/** fleet exec: Ansible's secret inventory vars and fleet's own secrets. */
export function execSecrets(inventory: Inventory, env: NodeJS.ProcessEnv): OutputSecrets {
  const hosts = [...inventory.hosts.values()].map((host) => ({ name: host.name, vars: host.vars }));
  const { values, warnings } = collectSecrets({ plays: [], hosts, extraVars: {}, given: givenSecrets(env) });
  return { mask: new SecretMask(values), warnings };
}

const givenSecrets = (env: NodeJS.ProcessEnv): Array<{ what: string; value: string | undefined }> => Object.values(SecretEnv).map((name) => ({ what: name, value: env[name] }));

/** Adds a secret typed at a prompt; the warning to print when it is too short to mask, or null. */
export function rememberSecret(mask: SecretMask, value: string, what: string): string | null {
  if (mask.add(value) || unmaskableReason(value) === "empty") return null;
  return `the ${what} is shorter than ${MIN_SECRET_LENGTH} characters: too short to mask, so it is NOT masked in output`;
}

/** An error as it may be printed: its message and hint masked (the CLI prints every error it is thrown). */
export function maskedError(error: unknown, mask: SecretMask): unknown {
  if (mask.empty) return error;
  if (error instanceof InputFileError) return new InputFileError(error.problems.map((problem) => maskedFleetError(problem, mask)));
  if (error instanceof FleetError) return maskedFleetError(error, mask);
  if (error instanceof Error) {
    const copy = new Error(mask.text(error.message));
    copy.stack = mask.text(error.stack ?? copy.message);
    return copy;
  }
  return typeof error === "string" ? mask.text(error) : error;
}

function maskedFleetError(error: FleetError, mask: SecretMask): FleetError {
  return new FleetError(error.code, mask.text(error.message), {
    category: error.category,
    ...(error.hint === undefined ? {} : { hint: mask.text(error.hint) }),
    ...(error.location === undefined ? {} : { location: error.location }),
  });
}
