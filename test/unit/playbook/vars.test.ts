import { describe, expect, test } from "vitest";
import type { Vars } from "../../../src/inventory/types.js";
import { scopeOf, evaluateCondition, parseExpression } from "../../../src/playbook/expression/index.js";
import { renderValue, TemplateError } from "../../../src/playbook/template.js";
import type { Play } from "../../../src/playbook/types.js";
import { taskVariables } from "../../../src/playbook/vars.js";

const location = { file: "site.yml", line: 1, column: 3 };

function play(vars: Vars, ...varsFiles: Vars[]): Pick<Play, "defaults" | "vars" | "varsFiles" | "location"> {
  return { defaults: {}, vars, varsFiles: varsFiles.map((file, index) => ({ path: `vars/${index}.yml`, vars: file })), location };
}

class NotKnownYet extends Error {}

describe("taskVariables", () => {
  test("precedence: host vars < play vars < vars_files in order < registered < extra vars", () => {
    const variables = taskVariables({
      hostVars: { a: "host", b: "host", c: "host", d: "host", e: "host", f: "host", only_host: 1 },
      play: play({ b: "play", c: "play", d: "play", e: "play", f: "play" }, { c: "file1", d: "file1", e: "file1", f: "file1" }, { d: "file2", e: "file2", f: "file2" }),
      registered: { e: "registered", f: "registered" },
      extraVars: { f: "extra" },
      facts: { kernel: { release: "6.1" } },
    });
    expect(variables).toEqual({ a: "host", b: "play", c: "file1", d: "file2", e: "registered", f: "extra", only_host: 1, facts: { kernel: { release: "6.1" } } });
  });

  test("play defaults are the lowest layer: the inventory overrides them", () => {
    const variables = taskVariables({ hostVars: { tuned: "inventory" }, play: { ...play({}), defaults: { tuned: "default", untouched: "default" } }, registered: {}, extraVars: {}, facts: {} });
    expect([variables["tuned"], variables["untouched"]]).toEqual(["inventory", "default"]);
  });

  test("a later layer replaces a whole value (no deep merge)", () => {
    const variables = taskVariables({ hostVars: { m: { a: 1, b: 2 } }, play: play({ m: { a: 3 } }), registered: {}, extraVars: {}, facts: {} });
    expect(variables["m"]).toEqual({ a: 3 });
  });

  test("facts are under facts; extra vars and play vars cannot replace them", () => {
    const facts = { kernel: { slab_present: true } };
    const variables = taskVariables({ hostVars: { facts: "host" }, play: play({ facts: "play" }), registered: {}, extraVars: { facts: "extra" }, facts });
    expect(variables["facts"]).toBe(facts);
  });

  test("facts and registered results are not read: their getters stay lazy", () => {
    const facts = Object.defineProperty({}, "kernel", {
      enumerable: true,
      get() {
        throw new NotKnownYet("kernel");
      },
    });
    const registered = Object.defineProperty({}, "r", {
      enumerable: true,
      get() {
        throw new NotKnownYet("r");
      },
    });
    const variables = taskVariables({ hostVars: {}, play: play({ x: 1 }), registered, extraVars: {}, facts });
    expect(variables["x"]).toBe(1);
    expect(() => variables["r"]).toThrow(NotKnownYet);
    expect(() => renderValue("{{ facts.kernel }}", variables, location)).toThrow(NotKnownYet);
    expect(evaluateCondition(parseExpression("x == 1"), scopeOf(variables))).toBe(true);
  });

  test("a variable whose value is a template is rendered against the same variables, once", () => {
    const variables = taskVariables({
      hostVars: { base_mode: "0700" },
      play: play({ mode: "{{ base_mode }}", paths: ["/srv/{{ site }}", "/etc"] }),
      registered: {},
      extraVars: { site: "dc1" },
      facts: {},
    });
    expect(variables["mode"]).toBe("0700");
    expect(variables["paths"]).toEqual(["/srv/dc1", "/etc"]);
    expect(renderValue("{{ mode }}:{{ paths }}", variables, location)).toBe('0700:["/srv/dc1","/etc"]');
  });

  test("registered results are never rendered (they come from hosts)", () => {
    const variables = taskVariables({ hostVars: {}, play: play({}), registered: { r: { stdout: "{{ not_a_template }}" } }, extraVars: {}, facts: {} });
    expect(variables["r"]).toEqual({ stdout: "{{ not_a_template }}" });
  });

  test("a variable that refers to itself is an error", () => {
    const variables = taskVariables({ hostVars: {}, play: play({ a: "{{ b }}", b: "x{{ a }}" }), registered: {}, extraVars: {}, facts: {} });
    expect(() => variables["a"]).toThrow(TemplateError);
    expect(() => variables["a"]).toThrow("refers to itself");
  });

  test("an undefined variable inside a variable names that variable", () => {
    const variables = taskVariables({ hostVars: {}, play: play({ mode: "{{ base_mod }}", base_mode: 1 }), registered: {}, extraVars: {}, facts: {} });
    expect(() => variables["mode"]).toThrow("undefined variable base_mod in variable mode");
  });
});
