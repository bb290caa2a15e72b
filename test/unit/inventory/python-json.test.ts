import { describe, expect, test } from "vitest";
import { pythonJson } from "../../../src/inventory/python-json.js";

// Expected text from Python: json.dumps(value, sort_keys=True, indent=4, ensure_ascii=False).
describe("pythonJson writes what ansible-inventory prints", () => {
  test("plain data (the native JSON.stringify path)", () => {
    const value = { b: [1, 2.5, { z: null, a: true }], a: 'x\tyé"', empty: {}, list: [] };
    expect(pythonJson(value)).toBe(
      '{\n    "a": "x\\tyé\\"",\n    "b": [\n        1,\n        2.5,\n        {\n            "a": true,\n            "z": null\n        }\n    ],\n    "empty": {},\n    "list": []\n}',
    );
  });

  // One known difference: a float without fraction (1.0000000000000002e+16 in Python) prints as an integer.
  test("numeric keys sorted as text, NaN, Infinity and exponents as Python writes them", () => {
    const value = { "10": 1, "9": 2, a: { "2": 1e-5, "1": NaN }, n: [Infinity, 1.0000000000000002e16 + 0.5, 0.0001] };
    expect(pythonJson(value)).toBe(
      '{\n    "10": 1,\n    "9": 2,\n    "a": {\n        "1": NaN,\n        "2": 1e-05\n    },\n    "n": [\n        Infinity,\n        10000000000000002,\n        0.0001\n    ]\n}',
    );
  });
});
