import { describe, expect, test } from "vitest";
import { execSecrets, maskedError, rememberSecret, runSecrets } from "../../../src/cli/secret-output.js";
import { SECRET_MASK, SecretMask } from "../../../src/engine/secret-mask.js";
import { FleetError, InputFileError, UsageError } from "../../../src/errors.js";
import type { Inventory, InventoryHost } from "../../../src/inventory/types.js";
import { playbookOf } from "../engine/playbook-harness.js";

const host = (name: string, vars: InventoryHost["vars"]): InventoryHost => ({ name, vars, groups: ["all"], cluster: null });
const inventory: Inventory = { sources: [], groups: new Map(), hosts: new Map([["h1", host("h1", { ansible_become_pass: "inventory-become-pw", db: "db-secret-value" })]]), warnings: [] };

describe("the secrets of a command's output", () => {
  test("fleet run: secret_vars, Ansible's secret vars, -e and the environment", () => {
    const playbook = playbookOf([]);
    const play = playbook.plays[0];
    if (play === undefined) throw new Error("a play");
    play.secretVars = ["db", "token"];
    const { mask, warnings } = runSecrets(playbook, inventory, { token: "extra-vars-token" }, { FLEET_BECOME_PASSWORD: "env-become-pw", FLEET_SSH_PASSPHRASE: "abc" }, (item) => item.vars);
    expect(mask.text("inventory-become-pw db-secret-value extra-vars-token env-become-pw abc")).toBe(`${SECRET_MASK} ${SECRET_MASK} ${SECRET_MASK} ${SECRET_MASK} abc`);
    expect(warnings).toEqual([expect.stringMatching(/^the secret FLEET_SSH_PASSPHRASE is shorter than 6 characters/)]);
  });

  test("fleet exec: the inventory's secret vars and the environment, not other vars", () => {
    const { mask } = execSecrets(inventory, { FLEET_BECOME_PASSWORD: "env-become-pw" });
    expect(mask.text("inventory-become-pw db-secret-value env-become-pw")).toBe(`${SECRET_MASK} db-secret-value ${SECRET_MASK}`);
  });

  test("a secret typed at a prompt", () => {
    const mask = new SecretMask();
    expect(rememberSecret(mask, "typed-password", "become password")).toBeNull();
    expect(rememberSecret(mask, "", "become password")).toBeNull();
    expect(rememberSecret(mask, "pw", "become password")).toBe("the become password is shorter than 6 characters: too short to mask, so it is NOT masked in output");
    expect(mask.text("typed-password")).toBe(SECRET_MASK);
  });

  test("errors keep their code, category, location and class of exit, with message and hint masked", () => {
    const mask = new SecretMask(["s3cret-value"]);
    const usage = maskedError(new UsageError("X_USAGE", "bad s3cret-value", "try s3cret-value"), mask);
    expect(usage).toBeInstanceOf(FleetError);
    expect((usage as FleetError).describe()).toBe(`bad ${SECRET_MASK} [X_USAGE]\n  hint: try ${SECRET_MASK}`);
    expect((usage as FleetError).category).toBe("usage");
    const input = maskedError(new InputFileError([new FleetError("P", "at s3cret-value", { category: "parse", location: { file: "p.yml", line: 2 } })]), mask);
    expect((input as InputFileError).describe()).toBe(`p.yml:2: at ${SECRET_MASK} [P]`);
    const internal = maskedError(new Error("boom s3cret-value"), mask) as Error;
    expect(`${internal.message} ${internal.stack ?? ""}`).not.toContain("s3cret-value");
    const untouched = new Error("x");
    expect(maskedError(untouched, new SecretMask())).toBe(untouched);
  });
});
