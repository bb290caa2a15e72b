import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { formatLocation, InputFileError } from "../../../src/errors.js";
import { loadPlaybook } from "../../../src/playbook/load.js";
import { collectSecrets, MIN_SECRET_LENGTH, secretsOfResult, unmaskableReason, type SecretInput } from "../../../src/playbook/secrets.js";
import { fakeRegistry } from "./fake-registry.js";

const dir = mkdtempSync(join(tmpdir(), "fleet-secrets-"));

async function loadText(text: string) {
  const file = join(dir, `p-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  return loadPlaybook(file, { registry: fakeRegistry });
}

async function problems(text: string): Promise<string[]> {
  const error: unknown = await loadText(text).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof InputFileError)) throw new Error("expected an InputFileError");
  return error.problems.map((problem) => `${formatLocation(problem.location ?? { file: "" }).replace(/^.*\//, "")}: ${problem.message} [${problem.code}]${problem.hint === undefined ? "" : ` hint: ${problem.hint}`}`);
}

describe("secret_vars and no_log in the playbook", () => {
  test("secret_vars is a list of names (one name is a list of one), no_log a boolean", async () => {
    const playbook = await loadText(`- hosts: all\n  secret_vars: [db_password, api_token, db_password]\n  tasks:\n    - command: "true"\n      no_log: yes\n    - command: "true"\n- hosts: all\n  secret_vars: token\n  tasks: []\n`);
    expect(playbook.plays.map((play) => play.secretVars)).toEqual([["db_password", "api_token"], ["token"]]);
    expect(playbook.plays[0]?.tasks.map((task) => task.noLog)).toEqual([true, false]);
  });

  test("bad values are located problems", async () => {
    const found = await problems(`- hosts: all\n  secret_vars: [good, "not a name", 3x, facts, {a: 1}]\n  tasks:\n    - command: "true"\n      no_log: sometimes\n`);
    expect(found).toEqual([
      expect.stringMatching(/:2:23: secret_vars takes variable names: "not a name" is not a variable name \[PLAYBOOK_SECRET_VARS\] hint: secret_vars is a list of variable names/),
      expect.stringMatching(/:2:37: secret_vars takes variable names: "3x" is not a variable name \[PLAYBOOK_SECRET_VARS\]/),
      expect.stringMatching(/:2:41: secret_vars takes variable names: facts come from the hosts and cannot be marked secret \[PLAYBOOK_SECRET_VARS\]/),
      expect.stringMatching(/:2:48: secret_vars takes variable names: not a mapping \[PLAYBOOK_SECRET_VARS\]/),
      expect.stringMatching(/:5:15: no_log must be true or false, not the text "sometimes" \[PLAYBOOK_VALUE\]/),
    ]);
  });

  test("no_log on a play and secret_vars on a task say where they belong", async () => {
    const found = await problems(`- hosts: all\n  no_log: true\n  tasks:\n    - command: "true"\n      secret_vars: [x]\n`);
    expect(found.join("\n")).toMatch(/unknown play key `no_log` \[PLAYBOOK_UNKNOWN_KEY\] hint: `no_log` belongs to a task/);
    expect(found.join("\n")).toMatch(/`secret_vars` is a play key/);
  });
});

const play = (overrides: Partial<SecretInput["plays"][number]> = {}): SecretInput["plays"][number] => ({ defaults: {}, vars: {}, varsFiles: [], location: { file: "p.yml" }, secretVars: [], tasks: [], handlers: [], ...overrides });

describe("collectSecrets", () => {
  test("values of secret_vars from every layer, Ansible's secret inventory vars, and fleet's own secrets", () => {
    const { values, warnings } = collectSecrets({
      plays: [play({ secretVars: ["db_password", "token", "nested"], vars: { db_password: "play-value-1", other: "not-a-secret-1" }, varsFiles: [{ path: "v.yml", vars: { token: "from-vars-file" } }] })],
      hosts: [
        { name: "h1", vars: { db_password: "inventory-value", ansible_become_password: "become-on-h1", nested: { a: ["leaf-secret-1", 123456789], b: true } } },
        { name: "h2", vars: { ansible_ssh_pass: "ssh-pass-on-h2" } },
      ],
      extraVars: { db_password: "from-extra-vars" },
      given: [{ what: "FLEET_BECOME_PASSWORD", value: "env-become-pw" }, { what: "FLEET_SSH_PASSPHRASE", value: undefined }],
    });
    expect(new Set(values)).toEqual(new Set(["play-value-1", "inventory-value", "from-extra-vars", "from-vars-file", "become-on-h1", "leaf-secret-1", "123456789", "ssh-pass-on-h2", "env-become-pw"]));
    expect(warnings).toEqual([]);
  });

  test("a value written as a template is masked as rendered", () => {
    const { values } = collectSecrets({
      plays: [play({ secretVars: ["db_password"], vars: { db_password: "{{ vault_db }}-suffix" } })],
      hosts: [{ name: "h1", vars: { vault_db: "vaulted-value" } }],
      extraVars: {},
      given: [],
    });
    expect(values).toEqual(["vaulted-value-suffix"]);
  });

  test("short values are not masked, with one warning per variable that never shows the value", () => {
    const { values, warnings } = collectSecrets({
      plays: [play({ secretVars: ["pin", "empty", "stars"] })],
      hosts: [
        { name: "h1", vars: { pin: "1234", empty: "", stars: "********" } },
        { name: "h2", vars: { pin: "4321" } },
      ],
      extraVars: {},
      given: [{ what: "FLEET_BECOME_PASSWORD", value: "abc" }],
    });
    expect(values).toEqual([]);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe(`the secret pin (on h1, h2) is shorter than ${MIN_SECRET_LENGTH} characters (or is only "*"): too short to mask without garbling the output, so it is NOT masked; use a longer secret, or no_log: true on the tasks that show it`);
    expect(warnings[1]).toMatch(/^the secret stars \(on h1\)/);
    expect(warnings[2]).toMatch(/^the secret FLEET_BECOME_PASSWORD is shorter/);
    for (const warning of warnings) expect(warning).not.toMatch(/1234|4321|abc"/);
  });

  test("a misspelt name and a value that needs facts are warned about", () => {
    const { values, warnings } = collectSecrets({
      plays: [play({ secretVars: ["db_pasword", "from_facts"], vars: { db_password: "play-value-1", from_facts: "{{ facts.x }}" } })],
      hosts: [{ name: "h1", vars: {} }],
      extraVars: {},
      given: [],
    });
    expect(values).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^the secret from_facts cannot be known before the run \(h1: /), "secret_vars names db_pasword, which no host, play, vars file or -e defines: nothing to mask (a misspelt name?)"]);
  });

  test("without plays (fleet exec) the inventory's secret vars still count", () => {
    expect(collectSecrets({ plays: [], hosts: [{ name: "h1", vars: { ansible_password: "login-password" } }], extraVars: {}, given: [] }).values).toEqual(["login-password"]);
  });

  test("a registered result named in secret_vars: no warning before the run, and its output is a secret once known", async () => {
    const playbook = await loadText(`- hosts: all\n  secret_vars: [token]\n  tasks:\n    - command: "cat /run/token"\n      register: token\n    - command: "cat /run/other"\n      register: other\n`);
    expect(collectSecrets({ plays: playbook.plays, hosts: [{ name: "h1", vars: {} }], extraVars: {}, given: [] })).toEqual({ values: [], warnings: [] });
    const output = { stdout: "token-from-the-host\n", stderr: "" };
    expect(secretsOfResult(playbook.plays, { play: 0, task: 0, handler: false, output })).toEqual(["token-from-the-host\n"]);
    expect(secretsOfResult(playbook.plays, { play: 0, task: 1, handler: false, output })).toEqual([]);
  });

  test("unmaskableReason", () => {
    expect(["", "   ", "abcde", " abcde\n", "******", "abcdef", "**a***"].map(unmaskableReason)).toEqual(["empty", "empty", "short", "short", "mask", null, null]);
  });
});
