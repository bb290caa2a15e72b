import { z } from "zod";
import { certificatesRequest, identitiesRequest, parseCertificates, parseIdentities, type CertificateValidity } from "../facts/lxd/objects-certificates.js";
import { hostTime } from "../facts/lxd/objects-clock.js";
import { lxdServerRequest, lxdTrue, parseLxdServer } from "../facts/lxd/objects-common.js";
import { fact } from "../facts/types.js";
import { argsObject } from "./support/args.js";
import { listWords, plural, unreadablePlan } from "./support/lxd-plan.js";
import { ok, type Module } from "./types.js";

/** What the audit judges; each is its own control in the baseline. */
export const CERTIFICATE_CHECKS = { expiry: "LXD-ACC-03", validity: "LXD-ACC-04", unrestricted: "LXD-ACC-08", ca_trust: "LXD-ACC-02" } as const;
export type CertificateCheck = keyof typeof CERTIFICATE_CHECKS;

export interface LxdCertificatesAuditArgs {
  checks: CertificateCheck[];
  warnDays: number;
  /** Names or fingerprints (12+ hex digits, a prefix is enough) of the clients allowed to be unrestricted. */
  admins: string[];
  /** Flag client certificates valid for longer than this many days (LXD-ACC-04); undefined: not judged. */
  maxValidityDays: number | undefined;
}

const admin = z.string().min(1, "must not be empty");

const checkNames = Object.keys(CERTIFICATE_CHECKS) as CertificateCheck[];

export const lxdCertificatesAuditArgs: z.ZodType<LxdCertificatesAuditArgs, unknown> = argsObject("lxd_certificates_audit", {
  checks: z
    .array(z.enum(checkNames as [CertificateCheck, ...CertificateCheck[]], { error: `must be one of ${checkNames.join(", ")}` }))
    .min(1, "name at least one check")
    .default(checkNames),
  warn_days: z.number().int("must be a whole number of days").min(0, "must be 0 or more").default(30),
  admins: z.array(admin).default([]),
  max_validity_days: z.number().int("must be a whole number of days").positive("must be more than 0").optional(),
}).transform((args) => ({ checks: args.checks, warnDays: args.warn_days, admins: args.admins, maxValidityDays: args.max_validity_days }));

const clockRequest = fact(hostTime, "");
const DAY = 86_400;

interface Finding {
  text: string;
  control: string;
}

/**
 * Trusted client certificates (LXD-ACC-03, 04, 08) and CA trust (LXD-ACC-02): client certificates
 * expired or expiring within warn_days (dates read from the PEM, judged against the host's clock),
 * unrestricted client certificates not named in admins, and core.trust_ca_certificates on. On LXD
 * 5.21+ the fine-grained TLS identities (not listed in /1.0/certificates) are judged for expiry too.
 * Server certificates (cluster members) are never flagged. Audit only: nothing is changed.
 * Certificates are cluster-wide: run it once per cluster.
 */
export const lxdCertificatesAuditModule: Module<LxdCertificatesAuditArgs> = {
  name: "lxd_certificates_audit",
  description: "Find expired or expiring, unrestricted non-admin LXD client certificates and CA auto-trust",
  args: lxdCertificatesAuditArgs,
  facts: () => [lxdServerRequest, certificatesRequest, identitiesRequest, clockRequest],
  plan: (args, facts) => {
    const server = parseLxdServer(facts.get(lxdServerRequest));
    if (!server.ok) return unreadablePlan(server, "the LXD server");
    const certificates = parseCertificates(facts.get(certificatesRequest));
    if (!certificates.ok) return unreadablePlan(certificates, "certificates");
    const identities = parseIdentities(facts.get(identitiesRequest));
    const now = facts.get(clockRequest);
    const findings: Finding[] = [];
    const notes: string[] = [];

    const clients = certificates.value.filter((certificate) => certificate.type === "client");
    const admins: string[] = [];
    for (const certificate of clients) {
      const label = `client certificate ${certificate.name || "(no name)"} (${certificate.fingerprint.slice(0, 12)})`;
      findings.push(...validityFindings(label, certificate.validity, now, args));
      if (!certificate.restricted) {
        if (isAdmin(args.admins, certificate.name, certificate.fingerprint)) admins.push(certificate.name || certificate.fingerprint.slice(0, 12));
        else findings.push({ text: `${label} is unrestricted (full access to every project) and not in admins`, control: "LXD-ACC-08" });
      }
    }

    let fineGrained = 0;
    if (identities.ok) {
      for (const identity of identities.value) {
        // The restricted/unrestricted client types mirror /1.0/certificates, judged above.
        if (identity.authenticationMethod !== "tls" || identity.type !== "Client certificate") continue;
        fineGrained += 1;
        const label = `TLS identity ${identity.name || identity.id} (${identity.id.slice(0, 12)})`;
        if (identity.validity !== undefined) findings.push(...validityFindings(label, identity.validity, now, args));
        else if (identity.expiresAt !== undefined) findings.push(...expiryFindings(label, Date.parse(identity.expiresAt) / 1000, now, args.warnDays));
      }
    } else if (identities.reason === "error") notes.push(`identities not judged: ${identities.message}`);

    const trustCa = server.value.config["core.trust_ca_certificates"];
    if (lxdTrue(trustCa)) findings.push({ text: `core.trust_ca_certificates is ${trustCa}: every client certificate the CA signed gets full access`, control: "LXD-ACC-02" });

    const judgedControls = new Set<string>(args.checks.map((check) => CERTIFICATE_CHECKS[check]));
    findings.splice(0, findings.length, ...findings.filter((finding) => judgedControls.has(finding.control)));
    const note = notes.length > 0 ? ` (${notes.join("; ")})` : "";
    const judged = `${plural(clients.length, "client certificate")}${fineGrained > 0 ? ` and ${plural(fineGrained, "fine-grained TLS identity", "fine-grained TLS identities")}` : ""}`;
    if (findings.length === 0) {
      const unrestricted = admins.length > 0 ? `the unrestricted ones are admins (${listWords(admins)})` : "none unrestricted";
      return ok(`${judged}: none expired or expiring within ${args.warnDays} days, ${unrestricted}; core.trust_ca_certificates is off${note}`, `${clients.length} client certificates`);
    }
    return {
      kind: "fail",
      message: `${plural(findings.length, "finding")} among ${judged}${note}:\n${findings.map((finding) => `- ${finding.text} [${finding.control}]`).join("\n")}`,
      expected: `client certificates valid for more than ${args.warnDays} days, unrestricted only for admins${args.admins.length > 0 ? ` (${listWords(args.admins)})` : ""}, core.trust_ca_certificates off`,
      actual: findings.map((finding) => finding.text).join("; "),
    };
  },
  verifiable: true,
};

function isAdmin(admins: readonly string[], name: string, fingerprint: string): boolean {
  return admins.some((entry) => entry === name || (/^[0-9a-fA-F]{12,64}$/.test(entry) && fingerprint.toLowerCase().startsWith(entry.toLowerCase())));
}

function validityFindings(label: string, validity: CertificateValidity, now: number, args: LxdCertificatesAuditArgs): Finding[] {
  if (!validity.ok) return [{ text: `${label}: cannot read its validity: ${validity.message}`, control: "LXD-ACC-03" }];
  const notAfter = Date.parse(validity.notAfter) / 1000;
  const findings = expiryFindings(label, notAfter, now, args.warnDays);
  if (args.maxValidityDays !== undefined) {
    const days = Math.round((notAfter - Date.parse(validity.notBefore) / 1000) / DAY);
    if (days > args.maxValidityDays) findings.push({ text: `${label} is valid for ${days} days (${validity.notBefore.slice(0, 10)} to ${validity.notAfter.slice(0, 10)}), more than ${args.maxValidityDays}`, control: "LXD-ACC-04" });
  }
  return findings;
}

function expiryFindings(label: string, notAfter: number, now: number, warnDays: number): Finding[] {
  const date = new Date(notAfter * 1000).toISOString().replace(".000Z", "Z");
  if (notAfter <= now) return [{ text: `${label} expired ${date} (${Math.floor((now - notAfter) / DAY)} days ago)`, control: "LXD-ACC-03" }];
  if (notAfter - now < warnDays * DAY) return [{ text: `${label} expires ${date} (in ${Math.floor((notAfter - now) / DAY)} days)`, control: "LXD-ACC-03" }];
  return [];
}
