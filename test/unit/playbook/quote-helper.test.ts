import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { renderValue } from "../../../src/playbook/template.js";

const render = (template: string, context: object): unknown => renderValue(template, context, { file: "p.yml" });

describe("{{quote name}}: a value as one shell word", () => {
  test("metacharacters, quotes, numbers and lists", () => {
    expect(render("echo {{quote v}}", { v: "$(touch /tmp/x); `id` | a && b 'q' \"d\" \\ %s -x *" })).toBe(`echo '$(touch /tmp/x); \`id\` | a && b '\\''q'\\'' "d" \\ %s -x *'`);
    expect(render("{{quote n}}", { n: 5 })).toBe("5");
    expect(render("{{quote l}}", { l: ["a b", 1] })).toBe(`'["a b",1]'`);
    expect(() => render("{{quote missing}}", {})).toThrow(/undefined variable missing/);
  });

  test("property: sh reads back exactly the value", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(fc.constantFrom("$", "(", ")", "`", ";", "|", "&", "'", '"', "\\", "\n", " ", "*", "-", "%", "é", "{", "}"), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 30 }).filter((value) => !value.includes("\0")), (value) => {
        const script = render("printf '%s' {{quote v}}", { v: value }) as string;
        expect(execFileSync("sh", ["-c", script], { encoding: "utf8" })).toBe(value);
      }),
      { numRuns: 60 },
    );
  });
});
