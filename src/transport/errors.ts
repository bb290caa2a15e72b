import { FleetError } from "../errors.js";

/**
 * Why a host could not be reached or a connection broke. Every kind makes the host
 * "unreachable" in results, as in Ansible.
 */
export type UnreachableKind =
  | "refused"
  | "timeout"
  | "dns"
  | "network"
  | "auth-failed"
  | "host-key-unknown"
  | "host-key-changed"
  | "host-key-revoked"
  | "connection-lost"
  | "channel-failed"
  | "protocol"
  | "local-spawn"
  | "config";

const CODES: Record<UnreachableKind, string> = {
  refused: "SSH_CONNECTION_REFUSED",
  timeout: "SSH_TIMEOUT",
  dns: "SSH_DNS",
  network: "SSH_NETWORK",
  "auth-failed": "SSH_AUTH_FAILED",
  "host-key-unknown": "SSH_HOST_KEY_UNKNOWN",
  "host-key-changed": "SSH_HOST_KEY_CHANGED",
  "host-key-revoked": "SSH_HOST_KEY_REVOKED",
  "connection-lost": "SSH_CONNECTION_LOST",
  "channel-failed": "SSH_CHANNEL_FAILED",
  protocol: "SSH_PROTOCOL",
  "local-spawn": "LOCAL_SPAWN_FAILED",
  config: "SSH_CONFIG",
};

export class TransportError extends FleetError {
  readonly kind: UnreachableKind;
  readonly host: string;
  /** What a command printed before its connection broke (it may say which of its steps finished). */
  readonly partialOutput: { stdout: string; stderr: string } | undefined;

  constructor(kind: UnreachableKind, host: string, message: string, options: { hint?: string; cause?: unknown; partialOutput?: { stdout: string; stderr: string } } = {}) {
    super(CODES[kind], `${host}: ${message}`, options);
    this.kind = kind;
    this.host = host;
    this.partialOutput = options.partialOutput;
  }
}

export const isTransportError = (error: unknown): error is TransportError => error instanceof TransportError;

/** The run was interrupted (Ctrl-C, SIGTERM, SIGHUP) before this host's work started or finished. */
export class InterruptedError extends FleetError {
  constructor(message: string, hint = "run it again to finish; fleet's changes are idempotent") {
    super("RUN_INTERRUPTED", message, { hint });
  }
}
