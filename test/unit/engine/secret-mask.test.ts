import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SECRET_MASK, SecretMask } from "../../../src/engine/secret-mask.js";
import { unmaskableReason } from "../../../src/playbook/secrets.js";

/** Secrets over a small alphabet (so they overlap and repeat), with the characters that escape or mask. */
const secret = fc.string({ unit: fc.constantFrom("a", "b", "*", '"', "\\", "\n", " ", "é"), minLength: 6, maxLength: 12 }).filter((value) => unmaskableReason(value) === null);
const fragment = fc.string({ unit: fc.constantFrom("a", "b", "*", "x", "\n", '"'), maxLength: 8 });
/** Secrets, and a text made of them and other pieces. */
const secretsAndText = fc.array(secret, { minLength: 1, maxLength: 4 }).chain((secrets) =>
  fc.tuple(fc.constant(secrets), fc.array(fc.oneof(fc.constantFrom(...secrets), fragment), { maxLength: 10 }).map((parts) => parts.join(""))),
);

describe("SecretMask", () => {
  test("masks every occurrence, also inside larger strings, and leaves the rest", () => {
    const mask = new SecretMask(["hunter2-pass"]);
    expect(mask.text("pw=hunter2-pass; again:hunter2-passhunter2-pass.")).toBe(`pw=${SECRET_MASK}; again:${SECRET_MASK}.`);
    expect(mask.text("nothing here")).toBe("nothing here");
  });

  test("a value from a file is masked without its newline; each line of a multi-line secret is masked alone", () => {
    const mask = new SecretMask(["top-secret-value\n", "line-one-secret\nline-two-secret\nab\n"]);
    expect(mask.text("got top-secret-value.")).toBe(`got ${SECRET_MASK}.`);
    expect(mask.text("head -1: line-one-secret\n+ line-two-secret\nab")).toBe(`head -1: ${SECRET_MASK}\n+ ${SECRET_MASK}\nab`);
  });

  test("the JSON-escaped form is masked too", () => {
    const mask = new SecretMask(['pa"ss\\word']);
    expect(mask.text(JSON.stringify({ password: 'pa"ss\\word' }))).toBe(`{"password":"${SECRET_MASK}"}`);
  });

  test("short, empty and star-only values are refused", () => {
    const mask = new SecretMask();
    expect([mask.add("abc"), mask.add(""), mask.add("********"), mask.add("abcdef")]).toEqual([false, false, false, true]);
    expect(mask.text("abc abcdef ********")).toBe(`abc ${SECRET_MASK} ********`);
  });

  test("deep masks strings in keys and values of plain data and keeps everything else", () => {
    const mask = new SecretMask(["s3cr3t-value"]);
    const fn = (): number => 1;
    const data = { a: "x s3cr3t-value", list: [1, true, null, "s3cr3t-value"], nested: { "key-s3cr3t-value": { fn } }, when: undefined };
    expect(mask.deep(data)).toEqual({ a: `x ${SECRET_MASK}`, list: [1, true, null, SECRET_MASK], nested: { [`key-${SECRET_MASK}`]: { fn } }, when: undefined });
    expect(data.a).toBe("x s3cr3t-value");
  });

  test("without secrets, deep returns the very same object", () => {
    const data = { a: "x" };
    expect(new SecretMask().deep(data)).toBe(data);
  });

  test("property: a masked text never contains a secret", () => {
    fc.assert(
      fc.property(secretsAndText, ([secrets, text]) => {
        const masked = new SecretMask(secrets).text(text);
        for (const value of secrets) {
          expect(masked).not.toContain(value);
          expect(masked).not.toContain(value.trim());
        }
      }),
      { numRuns: 500 },
    );
  });

  test("property: masking is idempotent", () => {
    fc.assert(
      fc.property(secretsAndText, ([secrets, text]) => {
        const mask = new SecretMask(secrets);
        const once = mask.text(text);
        expect(mask.text(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  test("property: text without secrets is unchanged, and text around a secret stays as it was", () => {
    const plain = fc.string({ unit: fc.constantFrom("x", "y", "z", " ", "\n", "*", "é"), maxLength: 40 });
    const letters = fc.string({ unit: fc.constantFrom("a", "b", "c"), minLength: 6, maxLength: 10 });
    fc.assert(
      fc.property(fc.array(letters, { minLength: 1, maxLength: 3 }), plain, plain, (secrets, before, after) => {
        const mask = new SecretMask(secrets);
        expect(mask.text(before)).toBe(before);
        expect(mask.text(`${before}${secrets[0] ?? ""}${after}`)).toBe(`${before}${SECRET_MASK}${after}`);
      }),
      { numRuns: 300 },
    );
  });

  test("property: deep masking leaves no secret in any string of the copy", () => {
    const strings = (value: unknown): string[] => (typeof value === "string" ? [value] : Array.isArray(value) ? value.flatMap(strings) : typeof value === "object" && value !== null ? Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]) : []);
    fc.assert(
      fc.property(
        secretsAndText.chain(([secrets, text]) => fc.tuple(fc.constant(secrets), fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json, [text]: [text, { text }] })))),
        ([secrets, data]) => {
          const masked = new SecretMask(secrets).deep(data);
          for (const text of strings(masked)) for (const value of secrets) expect(text).not.toContain(value);
        },
      ),
      { numRuns: 200 },
    );
  });
});
