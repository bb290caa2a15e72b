import { describe, expect, it } from "vitest";
import { CONTROL_STATUSES } from "../../../src/report/model.js";
import { renderHtml } from "../../../src/report/render-html.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const LIMIT = 3 * 1024 * 1024;

/** 1,000 hosts × 40 controls, mostly passing, every status present, hosts in 10 clusters and standalone. */
function fleet() {
  const statuses = Array.from({ length: 1000 }, (_, host) => Array.from({ length: 40 }, (_, control) => ((host * 7 + control * 3) % 11 < 6 ? "pass" : (CONTROL_STATUSES[(host + control) % 5] ?? "pass"))));
  return syntheticReport(statuses, statuses.map((_, host) => (host % 3 === 0 ? null : `cluster-${host % 10}`)));
}

describe("renderHtml: size", () => {
  it("keeps 1,000 hosts × 40 controls under 3 MB", () => {
    const started = performance.now();
    const html = renderHtml(fleet());
    const bytes = Buffer.byteLength(html, "utf8");
    console.log(`HTML report, 1,000 hosts × 40 controls (synthetic): ${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MiB), rendered in ${Math.round(performance.now() - started)} ms`);
    expect(bytes).toBeLessThan(LIMIT);
  });

  it("keeps it under 3 MB with real-sized texts: long shared messages, and an actual value of its own on every failing cell", () => {
    const report = fleet();
    for (const control of report.controls) Object.assign(control, { title: `${control.id}: a control title of a realistic length`, rationale: "x".repeat(300), remediation: "y".repeat(300), section: "Harden remote API access" });
    for (const [hostIndex, host] of report.hosts.entries()) {
      for (const result of host.controls) {
        result.message = `condition is false: facts.lxd.reachable and 'oidc' in facts.lxd.api_extensions (${result.id})`;
        if (result.status === "fail" || result.status === "error") Object.assign(result, { expected: `${result.id}: core.remote_token_expiry is set to 15M or less`, actual: `core.remote_token_expiry is ${hostIndex}H`, message: `found ${hostIndex}H on ${host.name}` });
        if (result.status === "waived") result.waiver = { justification: "legacy hosts, replaced by the 2027 refresh", expires: "2027-06-30" };
      }
    }
    const bytes = Buffer.byteLength(renderHtml(report), "utf8");
    console.log(`HTML report, 1,000 hosts × 40 controls with real-sized texts: ${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MiB)`);
    expect(bytes).toBeLessThan(LIMIT);
  });
});
