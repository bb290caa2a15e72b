import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { fact, type FactRequest } from "../types.js";
import { readLxd, stringList, type LxdRead } from "./objects-common.js";
import { lxdQuery, type LxdQueryResult } from "./query.js";

/** The validity of a PEM certificate, or why it could not be read. */
export type CertificateValidity =
  | { ok: true; subject: string; notBefore: string; notAfter: string; fingerprint: string }
  | { ok: false; message: string };

/**
 * Trusted certificates (`/1.0/certificates?recursion=1`): client, server (cluster members) and
 * metrics. The API gives the raw PEM, not dates: NotBefore/NotAfter are read from it here.
 */
export interface LxdCertificate {
  name: string;
  type: string;
  restricted: boolean;
  projects: string[];
  fingerprint: string;
  validity: CertificateValidity;
}

const certificateSchema = z
  .object({
    name: z.string().nullish(),
    type: z.string().nullish(),
    restricted: z.boolean().nullish(),
    projects: stringList,
    certificate: z.string().nullish(),
    fingerprint: z.string(),
  })
  .transform(
    (certificate): LxdCertificate => ({
      name: certificate.name ?? "",
      type: certificate.type ?? "",
      restricted: certificate.restricted ?? false,
      projects: certificate.projects,
      fingerprint: certificate.fingerprint,
      validity: certificate.certificate ? pemValidity(certificate.certificate) : { ok: false, message: "no certificate in the API answer" },
    }),
  );

export const CERTIFICATES_PATH = "/1.0/certificates?recursion=1";
export const certificatesRequest: FactRequest<LxdQueryResult> = fact(lxdQuery, CERTIFICATES_PATH);
export const parseCertificates = (result: LxdQueryResult): LxdRead<LxdCertificate[]> => readLxd(result, z.array(certificateSchema), CERTIFICATES_PATH);

/**
 * Identities (`/1.0/auth/identities?recursion=1`, LXD 5.21+). Fine-grained TLS identities
 * (type "Client certificate") are not in /1.0/certificates; their PEM is `tls_certificate`
 * (extension access_management_tls) and, after 6.9, `expires_at` gives the expiry directly.
 * Older servers answer "not found".
 */
export interface LxdIdentity {
  authenticationMethod: string;
  type: string;
  id: string;
  name: string;
  groups: string[];
  /** From tls_certificate when there is one. */
  validity: CertificateValidity | undefined;
  /** ISO date of expires_at when given. */
  expiresAt: string | undefined;
}

const identitySchema = z
  .object({
    authentication_method: z.string().nullish(),
    type: z.string().nullish(),
    id: z.string().nullish(),
    name: z.string().nullish(),
    groups: stringList,
    tls_certificate: z.string().nullish(),
    expires_at: z.string().nullish(),
  })
  .transform(
    (identity): LxdIdentity => ({
      authenticationMethod: identity.authentication_method ?? "",
      type: identity.type ?? "",
      id: identity.id ?? "",
      name: identity.name ?? "",
      groups: identity.groups,
      validity: identity.tls_certificate ? pemValidity(identity.tls_certificate) : undefined,
      expiresAt: identity.expires_at ? isoDate(identity.expires_at) : undefined,
    }),
  );

export const IDENTITIES_PATH = "/1.0/auth/identities?recursion=1";
export const identitiesRequest: FactRequest<LxdQueryResult> = fact(lxdQuery, IDENTITIES_PATH);
export const parseIdentities = (result: LxdQueryResult): LxdRead<LxdIdentity[]> => readLxd(result, z.array(identitySchema), IDENTITIES_PATH);

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * NotBefore/NotAfter of a PEM certificate, as ISO dates (UTC), with its subject and SHA-256
 * fingerprint (lowercase hex, as LXD prints it). Pure: node:crypto parses, nothing is verified.
 */
export function pemValidity(pem: string): CertificateValidity {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    return { ok: false, message: `not a PEM certificate: ${error instanceof Error ? error.message : String(error)}` };
  }
  const notBefore = opensslDate(certificate.validFrom);
  const notAfter = opensslDate(certificate.validTo);
  if (notBefore === undefined || notAfter === undefined) return { ok: false, message: `unreadable validity dates ${certificate.validFrom} / ${certificate.validTo}` };
  return { ok: true, subject: certificate.subject.replace(/\n/g, ", "), notBefore, notAfter, fingerprint: certificate.fingerprint256.replace(/:/g, "").toLowerCase() };
}

/** OpenSSL's "Dec  2 20:01:16 2026 GMT" → "2026-12-02T20:01:16.000Z"; undefined when it is not that shape. */
export function opensslDate(text: string): string | undefined {
  const match = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/.exec(text.trim());
  if (match === null) return undefined;
  const month = MONTHS.indexOf(match[1] ?? "");
  if (month < 0) return undefined;
  const time = Date.UTC(Number(match[6]), month, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]));
  return new Date(time).toISOString();
}

function isoDate(text: string): string | undefined {
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
