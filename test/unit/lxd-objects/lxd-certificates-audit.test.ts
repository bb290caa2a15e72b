import { describe, expect, it } from "vitest";
import { hostTime } from "../../../src/facts/lxd/objects-clock.js";
import type { FactValue } from "../../../src/facts/types.js";
import { lxdCertificatesAuditArgs, lxdCertificatesAuditModule } from "../../../src/modules/lxd-certificates-audit.js";
import { planModule } from "../../support/plan-module.js";
import { argIssues, certificatePem, cluster, documented, expectFail, factsOf, json, withoutLxd, ok, tb3, type Facts } from "./support.js";

const NOW = hostTime.parse(tb3.hostTime, ""); // 2026-12-02T20:13:54Z on tb3
const at = (seconds: number): Facts => ({ "host_time:": seconds });
const tb3Facts = (now = NOW): Facts => factsOf(tb3, at(now));
const plan = (args: unknown, facts: Facts = tb3Facts()) => planModule(lxdCertificatesAuditModule, args, facts).plan;
const lines = (message: string): string[] => message.split("\n").slice(1);
const DAY = 86_400;
const CERTIFICATES = "lxd_query:/1.0/certificates?recursion=1";

describe("lxd_certificates_audit on tb3 (LXD 5.0.2, client certificates of the scenario)", () => {
  it("expiring within warn_days, and unrestricted client certificates not in admins; metrics and restricted ones are fine", () => {
    const failed = expectFail(plan({}));
    expect(failed.message).toBe(
      [
        "3 findings among 4 client certificates:",
        "- client certificate fleet-test-stranger (4f722d0b8f9f) is unrestricted (full access to every project) and not in admins [LXD-ACC-08]",
        "- client certificate fleet-test-admin (9c848e624007) is unrestricted (full access to every project) and not in admins [LXD-ACC-08]",
        "- client certificate fleet-test-soon (c2c52de00dd4) expires 2026-12-12T20:01:16Z (in 9 days) [LXD-ACC-03]",
      ].join("\n"),
    );
    expect(failed.expected).toBe("client certificates valid for more than 30 days, unrestricted only for admins, core.trust_ca_certificates off");
  });

  it("admins by name or by fingerprint (12+ hex digits); a shorter warn_days: ok", () => {
    expect(lines(expectFail(plan({ admins: ["fleet-test-admin", "4F722D0B8F9F"] })).message)).toEqual(["- client certificate fleet-test-soon (c2c52de00dd4) expires 2026-12-12T20:01:16Z (in 9 days) [LXD-ACC-03]"]);
    expect(plan({ admins: ["fleet-test-admin", "4f722d0b8f9fb248"], warn_days: 7 })).toEqual({
      kind: "ok",
      reason: "4 client certificates: none expired or expiring within 7 days, the unrestricted ones are admins (fleet-test-stranger and fleet-test-admin); core.trust_ca_certificates is off",
      actual: "4 client certificates",
    });
    // a fingerprint prefix shorter than 12 digits is not an admin
    expect(expectFail(plan({ admins: ["fleet-test-admin", "4f722d"], warn_days: 7 })).message).toContain("fleet-test-stranger (4f722d0b8f9f) is unrestricted");
  });

  it("judged against the host's clock: later, they have expired", () => {
    const later = Date.parse("2028-01-01T00:00:00Z") / 1000;
    expect(lines(expectFail(plan({ admins: ["fleet-test-admin", "fleet-test-stranger"] }, tb3Facts(later))).message)).toEqual([
      "- client certificate fleet-test-restricted (4cdd84ef9c69) expired 2027-12-02T20:01:16Z (29 days ago) [LXD-ACC-03]",
      "- client certificate fleet-test-stranger (4f722d0b8f9f) expired 2027-12-02T20:01:16Z (29 days ago) [LXD-ACC-03]",
      "- client certificate fleet-test-soon (c2c52de00dd4) expired 2026-12-12T20:01:16Z (384 days ago) [LXD-ACC-03]",
    ]);
  });

  it("an expired PEM (openssl ca -startdate 2020 -enddate 2021) in the trust store", () => {
    const certificates = (json(tb3, "/1.0/certificates?recursion=1") as Record<string, FactValue>[]).map((certificate) =>
      certificate["name"] === "fleet-test-restricted" ? { ...certificate, certificate: certificatePem("expired") } : certificate,
    );
    const facts = { ...tb3Facts(), [CERTIFICATES]: ok(certificates) };
    expect(expectFail(plan({ admins: ["fleet-test-admin", "fleet-test-stranger"], warn_days: 1 }, facts)).message).toBe(
      "1 finding among 4 client certificates:\n- client certificate fleet-test-restricted (4cdd84ef9c69) expired 2021-01-01T00:00:00Z (2161 days ago) [LXD-ACC-03]",
    );
  });

  it("max_validity_days flags long-lived client certificates (LXD-ACC-04)", () => {
    expect(lines(expectFail(plan({ admins: ["fleet-test-admin", "fleet-test-stranger"], warn_days: 1, max_validity_days: 400 })).message)).toEqual([
      "- client certificate fleet-test-admin (9c848e624007) is valid for 3650 days (2026-12-02 to 2036-11-29), more than 400 [LXD-ACC-04]",
    ]);
  });

  it("an unreadable PEM is a finding", () => {
    const facts = { ...tb3Facts(), [CERTIFICATES]: ok([{ certificate: "garbage", fingerprint: "ab".repeat(32), name: "odd", projects: [], restricted: true, type: "client" }]) };
    expect(expectFail(plan({}, facts)).message).toMatch(/^1 finding among 1 client certificate:\n- client certificate odd \(abababababab\): cannot read its validity: not a PEM certificate/);
  });

  it("no LXD, or no certificates endpoint: not applicable", () => {
    const noLxd = withoutLxd(tb3Facts());
    expect(plan({}, noLxd)).toEqual({ kind: "not_applicable", reason: "LXD is not installed" });
    const missing = { ...tb3Facts(), [CERTIFICATES]: { ok: false, reason: "error", message: "not found" } };
    expect(plan({}, missing)).toEqual({ kind: "not_applicable", reason: "this LXD server has no certificates endpoint (lxc query /1.0/certificates?recursion=1: not found); it needs a newer LXD" });
  });

  it("reads the server, certificates, identities and the host clock", () => {
    expect(planModule(lxdCertificatesAuditModule, {}, tb3Facts()).requested).toEqual(["lxd_server:", "lxd_query:/1.0/certificates?recursion=1", "lxd_query:/1.0/auth/identities?recursion=1", "host_time:"]);
  });
});

describe("lxd_certificates_audit on other shapes", () => {
  it("a cluster's member certificates (type server) are never flagged", () => {
    expect(plan({}, factsOf(cluster, at(NOW)))).toEqual({
      kind: "ok",
      reason: "0 client certificates: none expired or expiring within 30 days, none unrestricted; core.trust_ca_certificates is off",
      actual: "0 client certificates",
    });
    // even long after the members' certificates expired
    expect(plan({}, factsOf(cluster, at(NOW + 20 * 365 * DAY))).kind).toBe("ok");
  });

  it("LXD 5.21: CA trust on, fine-grained TLS identities judged by their PEM or expires_at; pending, OIDC and bearer identities not", () => {
    expect(expectFail(plan({ admins: ["fleet-test-admin"] }, factsOf(documented, at(NOW)))).message).toBe(
      [
        "3 findings among 1 client certificate and 2 fine-grained TLS identities:",
        "- TLS identity ops-laptop (c2c52de00dd4) expires 2026-12-12T20:01:16Z (in 9 days) [LXD-ACC-03]",
        "- TLS identity old-tool (000000000000) expired 2026-01-01T00:00:00Z (335 days ago) [LXD-ACC-03]",
        "- core.trust_ca_certificates is true: every client certificate the CA signed gets full access [LXD-ACC-02]",
      ].join("\n"),
    );
  });
});

describe("lxd_certificates_audit arguments", () => {
  it.each<[unknown, string[]]>([
    [{ warn_days: -1 }, ["warn_days: must be 0 or more"]],
    [{ warn_days: 1.5 }, ["warn_days: must be a whole number of days"]],
    [{ admins: "me" }, ["admins: Invalid input: expected array, received string"]],
    [{ admins: [""] }, ["admins.0: must not be empty"]],
    [{ max_validity_days: 0 }, ["max_validity_days: must be more than 0"]],
    [{ remove: true }, [': unknown argument "remove" of lxd_certificates_audit (it takes admins, checks, max_validity_days, warn_days)']],
  ])("%j", (raw, issues) => expect(argIssues(lxdCertificatesAuditModule, raw)).toEqual(issues));
});

describe("lxd_certificates_audit checks", () => {
  it("judges only the checks asked for, so each control gets its own verdict", () => {
    const args = lxdCertificatesAuditArgs.parse({ checks: ["ca_trust"] });
    expect(args.checks).toEqual(["ca_trust"]);
    expect(() => lxdCertificatesAuditArgs.parse({ checks: ["expiry", "nope"] })).toThrow(/must be one of expiry, validity, unrestricted, ca_trust/);
  });
});
