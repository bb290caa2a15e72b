import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONTROL_STATUSES, reportModel, SEVERITIES } from "../../../src/report/model.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const statusArbitrary = fc.constantFrom(...CONTROL_STATUSES);

describe("report model", () => {
  it("totals equal the matrix: per control, per host, per severity, per cluster and for the fleet", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((width) => fc.array(fc.array(statusArbitrary, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 })),
        fc.array(fc.constantFrom("c1", "c2", null), { maxLength: 8 }),
        (matrix, clusters) => {
          const model = reportModel(syntheticReport(matrix, clusters));
          const flat = matrix.flat();
          for (const status of CONTROL_STATUSES) {
            const total = flat.filter((value) => value === status).length;
            expect(model.counts[status]).toBe(total);
            expect(model.controls.reduce((sum, control) => sum + control.counts[status], 0)).toBe(total);
            expect(model.hosts.reduce((sum, host) => sum + host.counts[status], 0)).toBe(total);
            expect(SEVERITIES.reduce((sum, severity) => sum + model.bySeverity[severity][status], 0)).toBe(total);
          }
          const clustered = matrix.filter((_, index) => (clusters[index] ?? null) !== null).flat().length;
          expect(model.clusters.reduce((sum, cluster) => sum + CONTROL_STATUSES.reduce((inner, status) => inner + cluster.counts[status], 0), 0)).toBe(clustered);
          for (const control of model.controls) expect(control.failing.length).toBe(control.counts.fail + control.counts.error);
          expect(model.verdict).toBe(flat.includes("fail") ? "non-compliant" : flat.includes("error") ? "incomplete" : "compliant");
          expect(model.score).toBeGreaterThanOrEqual(0);
          expect(model.score).toBeLessThanOrEqual(100);
        },
      ),
    );
  });

  it("looks up a cell of the matrix", () => {
    const model = reportModel(syntheticReport([["pass", "fail"]]));
    expect(model.cell("h0", "C-1")).toMatchObject({ status: "fail", expected: "want", actual: "have" });
    expect(model.cell("h0", "C-9")).toBeUndefined();
  });
});
