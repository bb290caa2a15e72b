import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { FleetError } from "../../../src/errors.js";
import { resolvePlaybookPath } from "../../../src/playbook/load.js";

const root = mkdtempSync(join(tmpdir(), "fleet-playbooks-"));
const cwd = join(root, "work");
const shipped = join(root, "package", "playbooks");
mkdirSync(join(cwd, "mine"), { recursive: true });
mkdirSync(shipped, { recursive: true });
writeFileSync(join(cwd, "mine", "site.yml"), "[]\n");
writeFileSync(join(cwd, "baseline.yml"), "[]\n");
writeFileSync(join(shipped, "baseline.yml"), "[]\n");
writeFileSync(join(shipped, "audit-only.yaml"), "[]\n");

test("a file relative to cwd is returned as given", () => {
  expect(resolvePlaybookPath("mine/site.yml", cwd, shipped)).toBe("mine/site.yml");
  expect(resolvePlaybookPath("baseline.yml", cwd, shipped)).toBe("baseline.yml");
  expect(resolvePlaybookPath(join(cwd, "mine/site.yml"), "/", shipped)).toBe(join(cwd, "mine/site.yml"));
});

test("otherwise a shipped playbook, with or without its extension", () => {
  expect(resolvePlaybookPath("baseline", cwd, shipped)).toBe(join(shipped, "baseline.yml"));
  expect(resolvePlaybookPath("audit-only", cwd, shipped)).toBe(join(shipped, "audit-only.yaml"));
  expect(resolvePlaybookPath("baseline.yml", join(cwd, "mine"), shipped)).toBe(join(shipped, "baseline.yml"));
});

test("missing everywhere: an error naming both places", () => {
  let error: unknown;
  try {
    resolvePlaybookPath("baselin", cwd, shipped);
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(FleetError);
  if (!(error instanceof FleetError)) return;
  expect(error.code).toBe("PLAYBOOK_NOT_FOUND");
  expect(error.message).toBe(`playbook baselin not found: there is no file ${join(cwd, "baselin")} nor ${join(shipped, "baselin")}`);
  expect(error.hint).toBe("did you mean `baseline`?");
  expect(() => resolvePlaybookPath("zzz", cwd, shipped)).toThrow(FleetError);
});
