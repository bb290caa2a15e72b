import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { FleetError, InputFileError } from "../../../src/errors.js";
import { parseExtraVars } from "../../../src/playbook/extra-vars.js";

const directory = mkdtempSync(join(tmpdir(), "fleet-extra-vars-"));
writeFileSync(join(directory, "site.yml"), "---\nslab_mode: '0700'\nport: 8443\nadmins: [alice, bob]\nwhen: yes\n");
writeFileSync(join(directory, "site.json"), '{"port": 9443, "nested": {"a": [1, 2]}}');
writeFileSync(join(directory, "empty.yml"), "# nothing\n");
writeFileSync(join(directory, "list.yml"), "- a\n- b\n");
writeFileSync(join(directory, "broken.yml"), "a: 1\nb: [unclosed\n");
const parse = (...values: string[]) => parseExtraVars(values, { cwd: directory });

function thrown(values: string[]): FleetError {
  try {
    parse(...values);
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error("parsed");
}

describe("parseExtraVars (-e, as ansible-playbook)", () => {
  test("KEY=VALUE pairs: values stay strings", () => {
    expect(parse("a=1 b=true c=")).toEqual({ a: "1", b: "true", c: "" });
    expect(parse("url=http://x/?a=b")).toEqual({ url: "http://x/?a=b" });
  });

  test("values are quoted as in a shell", () => {
    expect(parse(`msg="hello world" path='/a b/c' x=a\\ b`)).toEqual({ msg: "hello world", path: "/a b/c", x: "a b" });
    expect(parse(`q="say \\"hi\\"" s='it''s'`)).toEqual({ q: 'say "hi"', s: "its" });
    expect(parse(`  spaced=1   other=2  `)).toEqual({ spaced: "1", other: "2" });
    expect(parse(`hash=a#b`)).toEqual({ hash: "a#b" });
  });

  test("@FILE: YAML or JSON, relative to cwd", () => {
    expect(parse("@site.yml")).toEqual({ slab_mode: "0700", port: 8443, admins: ["alice", "bob"], when: true });
    expect(parse("@site.json")).toEqual({ port: 9443, nested: { a: [1, 2] } });
    expect(parse("@empty.yml")).toEqual({});
  });

  test("an inline JSON or YAML mapping keeps types", () => {
    expect(parse('{"a": 1, "b": [true, null]}')).toEqual({ a: 1, b: [true, null] });
    expect(parse("{a: yes, b: 0700}")).toEqual({ a: true, b: 448 });
  });

  test("later -e wins, a whole top-level value at a time", () => {
    expect(parse("@site.yml", "port=1", '{"admins": ["carol"]}')).toEqual({ slab_mode: "0700", port: "1", admins: ["carol"], when: true });
    expect(parse('{"m": {"a": 1}}', '{"m": {"b": 2}}')).toEqual({ m: { b: 2 } });
  });

  test("bad inline values are usage errors", () => {
    for (const values of [["novalue"], ["=x"], ['a="open'], ["[1, 2]"], ["{a: [1}"], ["@"]]) {
      const error = thrown(values);
      expect(error.category, values[0]).toBe("usage");
      expect(error.code).toBe("PLAYBOOK_EXTRA_VARS");
      expect(error.hint).toBeDefined();
    }
    expect(thrown(["novalue"]).message).toBe('-e novalue: "novalue" is not KEY=VALUE');
    expect(thrown(["[1, 2]"]).message).toBe("-e [1, 2]: extra vars must be a mapping, not a list");
  });

  test("bad files are located input errors", () => {
    const missing = thrown(["@nowhere.yml"]);
    expect(missing).toBeInstanceOf(InputFileError);
    expect(missing.code).toBe("PLAYBOOK_EXTRA_VARS_FILE");
    expect(missing.location).toEqual({ file: "nowhere.yml" });

    const list = thrown(["@list.yml"]);
    expect(list).toBeInstanceOf(InputFileError);
    expect(list.describe()).toBe("list.yml:1:1: extra vars file must hold a mapping of variables, not a list [PLAYBOOK_EXTRA_VARS_FILE]\n  hint: an -e @FILE holds a mapping of variable names to values (YAML or JSON)");

    const broken = thrown(["@broken.yml"]);
    expect(broken).toBeInstanceOf(InputFileError);
    expect(broken.code).toBe("PLAYBOOK_YAML_SYNTAX");
    expect(broken.location?.file).toBe("broken.yml");
    expect(broken.location?.line).toBeGreaterThan(0);
  });
});
