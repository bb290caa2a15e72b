import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { InputFileError } from "../../../src/errors.js";
import { loadInventory } from "../../../src/inventory/load.js";
import { fixturesRoot, listCases } from "../../fixtures/inventory/ansible-inventory.js";

// Each folder under errors/ holds a bad inventory and errors.txt, the exact messages fleet must
// print for it: every problem, located, with a hint (paths shown relative to the folder).
describe.each(listCases(join(fixturesRoot, "errors")))("bad inventory $name", (fixture) => {
  test(fixture.description, async () => {
    const error: unknown = await loadInventory(fixture.sources).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(InputFileError);
    if (!(error instanceof InputFileError)) return;
    expect(error.category).toBe("parse");
    expect(error.problems.every((problem) => problem.hint !== undefined)).toBe(true);
    const expected = readFileSync(join(fixture.directory, "errors.txt"), "utf8");
    expect(`${error.describe().replaceAll(`${fixture.directory}/`, "")}\n`).toBe(expected);
  });
});
