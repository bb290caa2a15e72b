import type { ControlStatus } from "../../src/engine/results.js";
import { SEVERITIES } from "../../src/report/model.js";
import type { FleetReport } from "../../src/report/types.js";

/** A synthetic fleet-report/v1 document from a matrix of statuses. */
export function syntheticReport(statuses: ControlStatus[][], clusters: (string | null)[] = []): FleetReport {
  const controls = statuses[0]?.map((_, index) => ({ id: `C-${index}`, title: `control ${index}`, severity: SEVERITIES[index % 4] ?? "medium", scope: "host" as const, remediation: "", section: null, rationale: null, fix: null, fixVar: null })) ?? [];
  return {
    schema: "fleet-report/v1",
    mode: "audit",
    playbook: "p.yml",
    startedAt: "2026-12-02T00:00:00.000Z",
    finishedAt: "2026-12-02T00:00:01.000Z",
    interrupted: false,
    summary: { hosts: statuses.length, unreachable: 0, changed: 0, failed: 0, tasks: { ok: 0, changed: 0, failed: 0, skipped: 0 }, controls: { pass: 0, fail: 0, error: 0, waived: 0, not_applicable: 0 }, score: 0 },
    hosts: statuses.map((row, hostIndex) => ({
      name: `h${hostIndex}`,
      cluster: clusters[hostIndex] ?? null,
      groups: [],
      status: "ok",
      error: null,
      interrupted: false,
      execs: 1,
      durationMs: 1,
      tasks: [],
      controls: row.map((status, index) => ({ id: `C-${index}`, status, expected: status === "fail" ? "want" : null, actual: status === "fail" ? "have" : null, message: status })),
    })),
    controls,
  };
}
