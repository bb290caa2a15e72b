import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { SourceLocation } from "../../../src/errors.js";
import { renderTaskArgs, renderTemplateFile, renderValue, TemplateError } from "../../../src/playbook/template.js";

const at: SourceLocation = { file: "site.yml", line: 7, column: 21 };

/** A value the engine does not know yet: its getter throws the engine's own class. */
class NotKnownYet extends Error {}
function pending<T extends object>(object: T, name: string): T {
  return Object.defineProperty(object, name, {
    enumerable: true,
    get() {
      throw new NotKnownYet(name);
    },
  });
}

function renderError(value: unknown, context: object, what?: string): TemplateError {
  try {
    renderValue(value, context, at, what);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error("rendered without an error");
}

describe("renderValue", () => {
  test("a string that is one {{ path }} gives the value with its type", () => {
    const context = { admins: ["alice", "bob"], port: 8443, on: false, none: null, nested: { a: { b: [1, 2] } } };
    expect(renderValue("{{ admins }}", context, at)).toEqual(["alice", "bob"]);
    expect(renderValue("{{port}}", context, at)).toBe(8443);
    expect(renderValue("{{ on }}", context, at)).toBe(false);
    expect(renderValue("{{ none }}", context, at)).toBeNull();
    expect(renderValue("{{ nested.a }}", context, at)).toEqual({ b: [1, 2] });
    expect(renderValue("{{{ nested.a.b }}}", context, at)).toEqual([1, 2]);
  });

  test("any other string gives text", () => {
    const context = { port: 8443, admins: ["alice", "bob"], map: { k: "v" }, none: null };
    expect(renderValue("port {{ port }}", context, at)).toBe("port 8443");
    expect(renderValue(" {{ port }}", context, at)).toBe(" 8443");
    expect(renderValue("{{ port }}{{ port }}", context, at)).toBe("84438443");
    // Lists and mappings inside text are JSON; null is nothing, as in Ansible.
    expect(renderValue("{{ admins }} {{ map }} [{{ none }}]", context, at)).toBe('["alice","bob"] {"k":"v"} []');
    expect(renderValue("no templates here", context, at)).toBe("no templates here");
  });

  test("nested lists and mappings are rendered, keys are not; other values are kept", () => {
    const context = { mode: "0700", users: ["a"] };
    expect(renderValue({ "{{ mode }}": ["{{ mode }}", { x: "m={{ mode }}" }], n: 3, b: true, u: "{{ users }}" }, context, at)).toEqual({
      "{{ mode }}": ["0700", { x: "m=0700" }],
      n: 3,
      b: true,
      u: ["a"],
    });
  });

  test("plain text: nothing is HTML-escaped", () => {
    const special = `<tag attr="x">&amp; 'quoted' & "double" </tag>`;
    expect(renderValue(`{{ text }} <>&"'`, { text: special }, at)).toBe(`${special} <>&"'`);
    expect(renderValue(`{{{ text }}}`, { text: special }, at)).toBe(special);
  });

  test("handlebars blocks work over lists and mappings", () => {
    const context = { admins: ["alice", "bob"], hosts: [{ name: "tb1" }, { name: "tb2" }], on: true, base: "x" };
    expect(renderValue("{{#each admins}}{{this}},{{/each}}", context, at)).toBe("alice,bob,");
    expect(renderValue("{{#each hosts as |h|}}{{h.name}}/{{../base}};{{/each}}", context, at)).toBe("tb1/x;tb2/x;");
    expect(renderValue("{{#if on}}yes{{else}}no{{/if}}", context, at)).toBe("yes");
    expect(renderValue("{{#admins}}[{{this}}]{{/admins}}", context, at)).toBe("[alice][bob]");
    expect(renderValue("{{@root.base}}", context, at)).toBe("x");
  });

  test("an undefined variable is an error naming it, the value and the location, with the closest names", () => {
    const error = renderError("{{ slab_mod }}", { slab_mode: "0700", other: 1 }, "file.mode");
    expect(error.code).toBe("TEMPLATE_UNDEFINED");
    expect(error.category).toBe("parse");
    expect(error.message).toBe("undefined variable slab_mod in file.mode");
    expect(error.location).toEqual(at);
    expect(error.hint).toBe("did you mean `slab_mode`?");
    expect(error.describe()).toBe("site.yml:7:21: undefined variable slab_mod in file.mode [TEMPLATE_UNDEFINED]\n  hint: did you mean `slab_mode`?");
  });

  test("strict everywhere: inside text, in blocks, down a path, names every object inherits", () => {
    expect(renderError("mode {{ slab_mod }}", { slab_mode: 1 }, "file.mode").message).toBe("undefined variable slab_mod in file.mode");
    expect(renderError("{{#if missing}}x{{/if}}", {}).message).toBe("undefined variable missing");
    expect(renderError("{{#each hosts}}{{nme}}{{/each}}", { hosts: [{ name: 1 }] }).hint).toBe("did you mean `name`?");
    expect(renderError("{{ facts.kernel.slabx }}", { facts: { kernel: { slab: true } } }).message).toBe("undefined variable facts.kernel.slabx (facts.kernel has no key slabx)");
    expect(renderError("x {{ a.b.c }}", { a: null }).message).toBe("undefined variable a.b.c (a is null)");
    expect(renderError("x {{ a.b.c }}", { a: { b: "text" } }).message).toBe("undefined variable a.b.c (a.b is a string)");
    expect(renderError("{{ toString }}", {}).code).toBe("TEMPLATE_UNDEFINED");
    expect(renderError("x {{ constructor }}", {}).code).toBe("TEMPLATE_UNDEFINED");
    expect(renderError("{{ list.map }}", { list: [] }).code).toBe("TEMPLATE_UNDEFINED");
    expect(renderError("{{lookup map key}}", { map: { a: 1 }, key: "b" }).message).toBe("undefined variable b (lookup found no key b)");
    expect(renderError({ deep: ["ok", "{{ nope }}"] }, {}, "m").message).toBe("undefined variable nope in m.deep[1]");
  });

  test("a defined variable holding undefined is undefined too", () => {
    expect(renderError("{{ x }}", { x: undefined }).code).toBe("TEMPLATE_UNDEFINED");
  });

  test("syntax errors", () => {
    const unclosed = renderError("{{ slab_mode ", {}, "file.mode");
    expect(unclosed.code).toBe("TEMPLATE_SYNTAX");
    expect(unclosed.location).toEqual(at);
    expect(unclosed.message).toBe("template syntax error in file.mode: the template ends too early (an unclosed {{ or a block such as {{#if}} without its {{/if}})");
    expect(renderError("{{#if a}}x{{/each}}", { a: 1 }).message).toBe("template syntax error: if doesn't match each");
    expect(renderError("{{ shout name }}", { name: "x" }).message).toBe("template syntax error: unknown helper shout");
    expect(renderError("{{> partial }}", {}).message).toBe("template syntax error: partials ({{> name}}) are not supported");
  });

  test("what a context's getter throws passes through unchanged", () => {
    const context = pending({ ready: 1 }, "facts");
    expect(() => renderValue("{{ facts }}", context, at)).toThrow(NotKnownYet);
    expect(() => renderValue("x {{ facts }}", context, at)).toThrow(NotKnownYet);
    expect(() => renderValue("{{#if facts}}y{{/if}}", context, at)).toThrow(NotKnownYet);
    const nested = { facts: pending({}, "kernel") };
    expect(() => renderValue("{{ facts.kernel.release }}", nested, at)).toThrow(NotKnownYet);
    expect(() => renderValue("r={{ facts.kernel.release }}", nested, at)).toThrow(NotKnownYet);
    // The getter is read only when the template uses it.
    expect(renderValue("{{ ready }}", context, at)).toBe(1);
  });

  test("the same string renders for many contexts (compiled once)", () => {
    const results = Array.from({ length: 1000 }, (_item, index) => renderValue("host-{{ n }}", { n: index }, at));
    expect(results[999]).toBe("host-999");
  });
});

describe("renderTaskArgs", () => {
  test("each argument is rendered and located where it was written", () => {
    const task = {
      module: "file",
      args: { path: "/etc/{{ name }}", mode: "{{ mod }}" },
      argLocations: { path: { file: "site.yml", line: 3, column: 13 }, mode: { file: "site.yml", line: 4, column: 13 } },
      location: { file: "site.yml", line: 2, column: 7 },
    };
    expect(renderTaskArgs({ ...task, args: { path: "/etc/{{ name }}" } }, { name: "x" })).toEqual({ path: "/etc/x" });
    try {
      renderTaskArgs(task, { name: "x", mode: "0600" });
      expect.unreachable();
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      expect(error.describe()).toBe("site.yml:4:13: undefined variable mod in file.mode [TEMPLATE_UNDEFINED]\n  hint: did you mean `mode`?");
    }
  });
});

describe("renderTemplateFile", () => {
  const directory = mkdtempSync(join(tmpdir(), "fleet-template-"));
  const file = (name: string, text: string): string => {
    const path = join(directory, name);
    writeFileSync(path, text);
    return path;
  };

  test("renders plain text", () => {
    const path = file("motd.hbs", "Admins:\n{{#each admins}}\n- {{this}} <{{../domain}}>\n{{/each}}\n");
    expect(renderTemplateFile(path, { admins: ["alice", "bob"], domain: "a&b" })).toBe("Admins:\n- alice <a&b>\n- bob <a&b>\n");
  });

  test("errors point at the template file, line and column", () => {
    const path = file("bad.hbs", "line one\nline two {{ admin }}\n");
    try {
      renderTemplateFile(path, { admins: [] });
      expect.unreachable();
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      expect(error.code).toBe("TEMPLATE_UNDEFINED");
      expect(error.location).toEqual({ file: path, line: 2, column: 13 });
      expect(error.message).toBe(`undefined variable admin in template ${path}`);
      expect(error.hint).toBe("did you mean `admins`?");
    }
  });

  test("getters' errors pass through", () => {
    const path = file("facts.hbs", "{{ facts.kernel }}\n");
    expect(() => renderTemplateFile(path, pending({}, "facts"))).toThrow(NotKnownYet);
  });

  test("a missing template file", () => {
    expect(() => renderTemplateFile(join(directory, "nowhere.hbs"), {})).toThrow(TemplateError);
  });
});
