import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { jsonChunks } from "../../../src/report/json-chunks.js";
import { writeChunksSync } from "../../../src/report/write-chunks.js";

const fixtures = path.resolve(import.meta.dirname, "../../fixtures/report");
const work = mkdtempSync(path.join(tmpdir(), "fleet-json-chunks-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const expected = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const joined = (value: unknown, depth?: number): string => [...jsonChunks(value, depth)].join("");

describe("jsonChunks: the text of JSON.stringify(value, null, 2), in pieces", () => {
  it("equals it on real and synthetic reports, at every streaming depth", () => {
    for (const name of ["real-audit.json", "synthetic-report.json"]) {
      const report: unknown = JSON.parse(readFileSync(path.join(fixtures, name), "utf8"));
      for (const depth of [0, 1, 2, 3, 6]) expect(joined(report, depth), `${name} depth ${depth}`).toBe(expected(report));
    }
  });

  it("streams a report's hosts one by one: no piece holds two hosts", () => {
    const hosts = Array.from({ length: 50 }, (_, index) => ({ name: `h${index}`, controls: [{ id: "X", message: "m".repeat(100) }] }));
    const pieces = [...jsonChunks({ schema: "fleet-report/1", hosts })];
    expect(pieces.filter((piece) => piece.includes('"name"')).length).toBe(50);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThan(400);
  });

  it("leaves out what JSON leaves out, writes null where JSON does, and calls toJSON", () => {
    const odd = { a: undefined, b: () => 1, c: [undefined, () => 1, Symbol("s"), Number.NaN, -0], d: new Date(0), e: {}, f: [], g: new String("s"), h: { toJSON: () => ({ x: [1] }) } };
    for (const depth of [0, 1, 2, 3]) expect(joined(odd, depth)).toBe(expected(odd));
    expect(joined(undefined)).toBe("null\n");
  });

  it("equals it on any JSON value (property, 500 values)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 4 }), (value, depth) => joined(value, depth) === expected(value)),
      { numRuns: 500 },
    );
  });

  it("writeChunksSync writes every piece, multi-byte text too, across its 1 MiB writes", () => {
    const file = path.join(work, "big.json");
    const value = { hosts: Array.from({ length: 3000 }, (_, index) => ({ name: `hôte-${index}`, text: "é€😀".repeat(100) })) };
    writeChunksSync(file, jsonChunks(value));
    expect(readFileSync(file, "utf8")).toBe(expected(value));
  });
});
