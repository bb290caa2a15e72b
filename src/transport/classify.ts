import { hostLookupName } from "./known-hosts/match.js";
import { TransportError } from "./errors.js";
import type { HostKeyVerdict } from "./known-hosts/verify.js";
import { shellQuote } from "./shell-quote.js";

/** What ssh2 told us about a failed connection, reduced to plain data. */
export interface ConnectErrorFacts {
  message: string;
  /** ssh2's error level: client-socket, client-timeout, client-authentication, handshake, protocol, ... */
  level: string | undefined;
  /** errno code of a socket error: ECONNREFUSED, ENOTFOUND, ... */
  code: string | undefined;
}

export interface ConnectContext {
  host: string;
  address: string;
  port: number;
  user: string;
  /** Our own judgement of the host key, when the handshake got that far. */
  verdict: HostKeyVerdict | undefined;
  /** The algorithms offered because known_hosts lists them for this host (undefined: no restriction). */
  restrictedAlgorithms: string[] | undefined;
  knownHostsFiles: readonly string[];
  recordFile: string;
  /** Why accept-new could not record an unknown key, when it tried. */
  recordError?: string | undefined;
  /** What was offered for authentication, e.g. "key ~/.ssh/id_ed25519", "ssh-agent". */
  authTried: readonly string[];
  /** Keys that could not be used, with the reason. */
  keyProblems: readonly string[];
  connectTimeoutMs: number;
}

const where = (context: ConnectContext): string => `${context.address}:${context.port}`;

/** Turn a failed connection into a TransportError whose message and hint say what to do. */
export function classifyConnectError(facts: ConnectErrorFacts, context: ConnectContext): TransportError {
  const verdict = context.verdict;
  if (verdict?.kind === "changed") {
    const expected = verdict.expected.map((entry) => `${entry.file}:${entry.line}`).join(", ");
    return new TransportError(
      "host-key-changed",
      context.host,
      `REMOTE HOST KEY CHANGED for ${where(context)}: possible man-in-the-middle attack! It presented ${verdict.keyType} ${verdict.fingerprint}, which does not match known_hosts (${expected}).`,
      { hint: `if the host was really reinstalled, verify its new key out of band, then remove the old entry with: ssh-keygen -R ${lookupForHint(context)} -f ${shellQuote(verdict.expected[0]?.file ?? context.recordFile)}` },
    );
  }
  if (verdict?.kind === "revoked") {
    return new TransportError(
      "host-key-revoked",
      context.host,
      `the host key ${verdict.fingerprint} of ${where(context)} is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}; refusing to connect`,
      { hint: "the host must be given a new host key; do not remove the @revoked line" },
    );
  }
  if (verdict?.kind === "unknown" && context.recordError !== undefined) {
    return new TransportError(
      "host-key-unknown",
      context.host,
      `the host key of ${where(context)} is not in known_hosts (${verdict.keyType} ${verdict.fingerprint}) and could not be recorded in ${context.recordFile}: ${context.recordError}`,
      { hint: `make ${shellQuote(context.recordFile)} writable (or name another file with fleet_known_hosts), then run again with --host-key-checking accept-new` },
    );
  }
  if (verdict?.kind === "unknown" && verdict.authorities.length > 0) {
    const lines = verdict.authorities.map((entry) => `${entry.file}:${entry.line}`).join(", ");
    return new TransportError(
      "host-key-unknown",
      context.host,
      `the host key of ${where(context)} is not in known_hosts (${verdict.keyType} ${verdict.fingerprint}); a @cert-authority line matches the host (${lines}), but fleet does not support host certificates`,
      { hint: `add the host's own key beside the CA line, after checking it out of band: ssh-keyscan -p ${context.port} ${shellQuote(context.address)} >> ${shellQuote(context.recordFile)}` },
    );
  }
  if (verdict?.kind === "unknown") {
    return new TransportError(
      "host-key-unknown",
      context.host,
      `the host key of ${where(context)} is not in known_hosts (${verdict.keyType} ${verdict.fingerprint}); strict host key checking refuses unknown hosts`,
      {
        hint: `check the fingerprint out of band, then add it: ssh-keyscan -p ${context.port} ${shellQuote(context.address)} >> ${shellQuote(context.recordFile)} (or run once with --host-key-checking accept-new)`,
      },
    );
  }
  const message = facts.message;
  if (facts.level === "handshake" && /host key|server host key/i.test(message) && context.restrictedAlgorithms) {
    return new TransportError(
      "host-key-changed",
      context.host,
      `${where(context)} offers none of the host key types known_hosts lists for it (${context.restrictedAlgorithms.join(", ")}): its keys changed, possible man-in-the-middle attack!`,
      { hint: `verify the host's keys out of band; known_hosts files searched: ${context.knownHostsFiles.join(", ")}` },
    );
  }
  if (facts.level === "client-authentication") {
    const tried = context.authTried.length > 0 ? ` (tried ${context.authTried.join(", ")})` : ": no usable key and no ssh-agent";
    const problems = context.keyProblems.length > 0 ? `; unusable keys: ${context.keyProblems.join("; ")}` : "";
    return new TransportError("auth-failed", context.host, `authentication failed as ${context.user}@${where(context)}${tried}${problems}`, {
      hint: "check ansible_user and ansible_ssh_private_key_file, and that the public key is in the user's authorized_keys on the host",
    });
  }
  if (facts.level === "client-timeout" || facts.code === "ETIMEDOUT") {
    if (/keepalive/i.test(message)) {
      return new TransportError("connection-lost", context.host, `${where(context)} stopped answering (keepalive timeout)`, {
        hint: "the host or the network went away during the run",
      });
    }
    return new TransportError("timeout", context.host, `no SSH handshake from ${where(context)} within ${context.connectTimeoutMs / 1000} s`, {
      hint: "the host accepts TCP but its sshd does not answer (overloaded, stopped, or a firewall); raise --connect-timeout if it is just slow",
    });
  }
  switch (facts.code) {
    case "ECONNREFUSED":
      return new TransportError("refused", context.host, `connection refused by ${where(context)}`, { hint: "is sshd running and listening on that port? check ansible_host and ansible_port" });
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new TransportError("dns", context.host, `cannot resolve ${context.address}`, { hint: "check ansible_host (or HostName in ~/.ssh/config)" });
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return new TransportError("network", context.host, `${where(context)} is unreachable (${facts.code})`, { hint: "check the address and the route to it" });
    case "ECONNRESET":
    case "EPIPE":
      return new TransportError("connection-lost", context.host, `${where(context)} closed the connection (${facts.code})`, { hint: "sshd may be refusing connections (MaxStartups, TCP wrappers, fail2ban)" });
    default:
      break;
  }
  if (facts.level === "client-dns") return new TransportError("dns", context.host, message, { hint: "check ansible_host" });
  if (/before handshake|connection lost/i.test(message)) {
    return new TransportError("connection-lost", context.host, `${where(context)} closed the connection before the SSH handshake`, {
      hint: "sshd may be refusing connections (MaxStartups, TCP wrappers, fail2ban) or this is not an SSH port",
    });
  }
  return new TransportError("protocol", context.host, `SSH to ${where(context)} failed: ${message}`, { hint: "run `ssh -v` to the same host to compare" });
}

/** The host as known_hosts names it, quoted for the shell the hint is pasted into. */
/** The name known_hosts holds the host under: in lower case (ssh-keygen -R DB.Lab finds nothing in a hashed file). */
function lookupForHint(context: ConnectContext): string {
  return shellQuote(hostLookupName(context.address, context.port));
}
