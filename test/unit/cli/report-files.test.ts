import { mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeReportFile } from "../../../src/cli/report-files.js";
import { syntheticReport } from "../../support/synthetic-report.js";

describe("writeReportFile", () => {
  it("refuses a directory as the target with a usage error, and leaves no temporary file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-report-"));
    const target = path.join(dir, "out.json");
    mkdirSync(target);
    expect(() => writeReportFile(target, syntheticReport([["pass"]]))).toThrow(expect.objectContaining({ code: "REPORT_TARGET_DIRECTORY", category: "usage" }));
    expect(readdirSync(dir)).toEqual(["out.json"]);
  });
});
