/**
 * The SSH transport, on ssh2. This is the only file of fleet that imports ssh2: everything it
 * needs from ssh2 is adapted here to the plain types of ./types.ts.
 */
import pLimit, { type LimitFunction } from "p-limit";
import ssh2, { type AnyAuthMethod, type Client, type ClientChannel, type ConnectConfig, type ParsedKey, type ServerHostKeyAlgorithm } from "ssh2";
import type { Duplex } from "node:stream";
import { messageOf } from "../errors.js";
import type { HostConnection } from "../inventory/types.js";
import { classifyConnectError, type ConnectContext } from "./classify.js";
import { type CommandExit, type RunningCommand, superviseCommand } from "./command-supervisor.js";
import { type Endpoint, type EndpointContext, type JumpSpec, resolveEndpoint } from "./endpoint.js";
import { TransportError, isTransportError } from "./errors.js";
import { KeyCache, type PassphraseSource } from "./key-cache.js";
import { hostLookupName } from "./known-hosts/match.js";
import { KnownHostsStore } from "./known-hosts/store.js";
import { hostKeyAlgorithmsFor, type HostKeyVerdict, verifyHostKey } from "./known-hosts/verify.js";
import type { Connection, ExecOptions, ExecResult, Transport } from "./types.js";

export interface SshTransportOptions {
  endpoint: EndpointContext;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Commands multiplexed on one connection at once (OpenSSH's MaxSessions is 10). */
  maxSessionsPerConnection: number;
  /** Characters of stdout and of stderr kept per command. */
  outputLimit: number;
  /** SSH_AUTH_SOCK, tried after the key files. */
  agentSocket: string | undefined;
  passphraseFor: PassphraseSource;
  becomePassword: string | undefined;
  warn: (message: string) => void;
}

/** How long to wait for a channel or a connection to acknowledge its close before giving up on it. */
const CLOSE_GRACE_MS = 2_000;

export class SshTransport implements Transport {
  private readonly knownHosts: KnownHostsStore;
  private readonly keys: KeyCache<ParsedKey>;
  private readonly bastions = new Map<string, Promise<Client>>();
  private readonly warnedOff = new Set<string>();
  private warnedOffForAll = false;

  constructor(private readonly options: SshTransportOptions) {
    this.knownHosts = new KnownHostsStore(options.warn);
    this.keys = new KeyCache<ParsedKey>(parsePrivateKey, options.passphraseFor);
  }

  async connect(target: HostConnection): Promise<Connection> {
    const client = await this.openThroughJumps(this.endpointFor(target), target);
    return new SshConnection(target, client, this.options);
  }

  async close(): Promise<void> {
    const bastions = [...this.bastions.values()];
    this.bastions.clear();
    await Promise.all(bastions.map(async (pending) => {
      const client = await pending.catch(() => undefined);
      if (client) await endClient(client);
    }));
  }

  private endpointFor(target: HostConnection, jumps?: JumpSpec[]): Endpoint {
    try {
      const endpoint = resolveEndpoint(target, this.options.endpoint);
      return jumps === undefined ? endpoint : { ...endpoint, jumps };
    } catch (error) {
      if (isTransportError(error)) throw error;
      throw new TransportError("config", target.host, messageOf(error), { cause: error });
    }
  }

  /** A stream to the target through its jump hosts (one shared connection per bastion), or undefined for a direct TCP connection. */
  private async tunnelFor(endpoint: Endpoint, target: HostConnection): Promise<Duplex | undefined> {
    const last = endpoint.jumps.at(-1);
    if (last === undefined) return undefined;
    const chain = endpoint.jumps;
    let bastion: Client;
    try {
      bastion = await this.bastion(chain, target);
    } catch (error) {
      if (!isTransportError(error)) throw error;
      throw new TransportError(error.kind, target.host, `via jump host ${error.message}`, error.hint === undefined ? {} : { hint: error.hint });
    }
    return new Promise<Duplex>((resolve, reject) => {
      bastion.forwardOut("127.0.0.1", 0, endpoint.address, endpoint.port, (error, stream) => {
        if (error) reject(new TransportError("refused", target.host, `jump host ${last.address} could not reach ${endpoint.address}:${endpoint.port}: ${error.message}`, { hint: "check that the bastion can reach the target and allows TCP forwarding (AllowTcpForwarding)" }));
        else resolve(stream);
      });
    });
  }

  private bastion(chain: readonly JumpSpec[], target: HostConnection): Promise<Client> {
    const key = JSON.stringify(chain);
    let pending = this.bastions.get(key);
    if (!pending) {
      pending = this.openBastion(chain, target);
      pending.catch(() => {});
      this.bastions.set(key, pending);
    }
    return pending;
  }

  private async openBastion(chain: readonly JumpSpec[], target: HostConnection): Promise<Client> {
    const hop = chain.at(-1);
    if (hop === undefined) throw new Error("empty jump chain");
    // The bastion is looked up in ~/.ssh/config like any host; it borrows the target's key and known_hosts file.
    const asHost: HostConnection = {
      host: hop.address,
      address: hop.address,
      port: hop.port,
      user: hop.user,
      privateKeyFile: target.privateKeyFile,
      connection: "ssh",
      become: false,
      becomeUser: "root",
      knownHostsFile: target.knownHostsFile,
      jump: undefined,
    };
    const client = await this.openThroughJumps(this.endpointFor(asHost, chain.slice(0, -1)), asHost);
    client.on("close", () => this.bastions.delete(JSON.stringify(chain)));
    return client;
  }

  /** A ready client for the endpoint; a tunnel opened for it is closed again when the connection fails. */
  private async openThroughJumps(endpoint: Endpoint, target: HostConnection): Promise<Client> {
    const sock = await this.tunnelFor(endpoint, target);
    try {
      return await this.open(endpoint, sock);
    } catch (error) {
      sock?.destroy();
      throw error;
    }
  }

  private async open(endpoint: Endpoint, sock: Duplex | undefined): Promise<Client> {
    const lookupName = hostLookupName(endpoint.address, endpoint.port);
    const entries = await this.knownHosts.entries(endpoint.knownHostsFiles).catch((error: unknown) => {
      throw new TransportError("config", endpoint.host, `cannot read known_hosts: ${messageOf(error)}`, {
        hint: "make the file readable, or point fleet_known_hosts / UserKnownHostsFile elsewhere",
        cause: error,
      });
    });
    const knownAlgorithms = hostKeyAlgorithmsFor(entries, lookupName);
    const restrictedAlgorithms = knownAlgorithms?.filter(isSupportedHostKeyAlgorithm);
    if (knownAlgorithms && restrictedAlgorithms?.length === 0) {
      throw new TransportError("protocol", endpoint.host, `known_hosts lists only host key types fleet cannot verify for ${lookupName} (${knownAlgorithms.join(", ")})`, {
        hint: "add one of its ed25519, ECDSA or RSA host keys to known_hosts (ssh-keyscan -t ed25519,ecdsa,rsa)",
      });
    }
    if (endpoint.policy === "off") this.warnHostKeyCheckingOff(endpoint.host);
    const auth = await this.authMethods(endpoint);
    const context: ConnectContext = {
      host: endpoint.host,
      address: endpoint.address,
      port: endpoint.port,
      user: endpoint.user,
      verdict: undefined,
      restrictedAlgorithms,
      knownHostsFiles: endpoint.knownHostsFiles,
      recordFile: endpoint.recordFile,
      authTried: auth.tried,
      keyProblems: auth.problems,
      connectTimeoutMs: this.options.connectTimeoutMs,
    };

    const hostVerifier = (key: Buffer, verify: (valid: boolean) => void): void => {
      const verdict = verifyHostKey(entries, lookupName, key);
      this.acceptHostKey(verdict, endpoint, lookupName, key).then(
        (accepted) => {
          // Remember a refusal so the error says why; a recorded key is not a failure.
          if (!accepted) context.verdict = verdict;
          verify(accepted);
        },
        (error: unknown) => {
          context.verdict = verdict;
          context.recordError = messageOf(error);
          verify(false);
        },
      );
    };

    const config: ConnectConfig = {
      host: endpoint.address,
      port: endpoint.port,
      username: endpoint.user,
      readyTimeout: this.options.connectTimeoutMs,
      keepaliveInterval: this.options.keepaliveIntervalMs,
      keepaliveCountMax: this.options.keepaliveCountMax,
      hostVerifier,
      authHandler: auth.methods,
      ...(sock ? { sock } : {}),
      ...(restrictedAlgorithms ? { algorithms: { serverHostKey: restrictedAlgorithms } } : {}),
    };

    return new Promise<Client>((resolve, reject) => {
      const client = new ssh2.Client();
      trackClose(client);
      let settled = false;
      client.on("ready", () => {
        if (settled) return;
        settled = true;
        resolve(client);
      });
      // ssh2 emits "error" for every failure; an unhandled one would crash the process.
      client.on("error", (error: Error & { level?: string; code?: string }) => {
        if (settled) return;
        settled = true;
        client.destroy();
        reject(classifyConnectError({ message: error.message, level: error.level, code: error.code }, context));
      });
      client.on("close", () => {
        if (settled) return;
        settled = true;
        reject(classifyConnectError({ message: "Connection lost before handshake", level: undefined, code: undefined }, context));
      });
      try {
        client.connect(config);
      } catch (error) {
        settled = true;
        reject(new TransportError("config", endpoint.host, `cannot start SSH: ${messageOf(error)}`));
      }
    });
  }

  /**
   * Off for the whole run (the command line said so): one warning, not one per host. Off through
   * StrictHostKeyChecking in ~/.ssh/config: one warning per host it applies to.
   */
  private warnHostKeyCheckingOff(host: string): void {
    if (this.options.endpoint.policy === "off") {
      if (this.warnedOffForAll) return;
      this.warnedOffForAll = true;
      this.options.warn(`host key checking is OFF for ${host} and every other host of this run: unknown host keys are accepted without being recorded`);
      return;
    }
    if (this.warnedOff.has(host)) return;
    this.warnedOff.add(host);
    this.options.warn(`host key checking is OFF for ${host} (StrictHostKeyChecking in the ssh config): an unknown host key is accepted without being recorded`);
  }

  private async acceptHostKey(verdict: HostKeyVerdict, endpoint: Endpoint, lookupName: string, key: Buffer): Promise<boolean> {
    if (verdict.kind === "known") return true;
    if (verdict.kind !== "unknown") return false;
    if (endpoint.policy === "off") return true;
    if (endpoint.policy === "strict") return false;
    await this.knownHosts.record(endpoint.recordFile, lookupName, verdict.keyType, key);
    this.options.warn(`${endpoint.host}: recorded its new host key ${verdict.keyType} ${verdict.fingerprint} in ${endpoint.recordFile}`);
    return true;
  }

  private async authMethods(endpoint: Endpoint): Promise<{ methods: AnyAuthMethod[]; tried: string[]; problems: string[] }> {
    const loads = await Promise.all(endpoint.identityFiles.map((file) => this.keys.load(file)));
    const methods: AnyAuthMethod[] = [];
    const tried: string[] = [];
    const problems: string[] = [];
    for (const load of loads) {
      if (load.kind === "key") {
        methods.push({ type: "publickey", username: endpoint.user, key: load.key });
        tried.push(`key ${load.file}`);
      } else if (load.kind === "problem") {
        problems.push(`${load.file}: ${load.problem}`);
      } else if (endpoint.identityFilesConfigured) {
        problems.push(`${load.file}: not found`);
      }
    }
    if (this.options.agentSocket) {
      methods.push({ type: "agent", username: endpoint.user, agent: this.options.agentSocket });
      tried.push("ssh-agent");
    }
    return { methods, tried, problems };
  }
}

const SUPPORTED_HOST_KEY_ALGORITHMS: readonly string[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

function isSupportedHostKeyAlgorithm(name: string): name is ServerHostKeyAlgorithm {
  return SUPPORTED_HOST_KEY_ALGORITHMS.includes(name);
}

function parsePrivateKey(data: Buffer, passphrase: string | undefined): ParsedKey | Error {
  const parsed = ssh2.utils.parseKey(data, passphrase);
  if (parsed instanceof Error) return parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined || !key.isPrivateKey()) return new Error("not a private key");
  return key;
}

/** Clients whose socket already closed: waiting for their "close" event would wait forever. */
const closedClients = new WeakSet<Client>();

function trackClose(client: Client): void {
  client.once("close", () => closedClients.add(client));
}

function endClient(client: Client): Promise<void> {
  if (closedClients.has(client)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, CLOSE_GRACE_MS);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}

class SshConnection implements Connection {
  readonly host: string;
  private readonly sessions: LimitFunction;
  private readonly killer: LimitFunction = pLimit(1);
  private lost: Error | undefined;
  private closed = false;
  /** A kill went unanswered: the host is frozen or cut off, so closing does not wait for it. */
  private unresponsive = false;
  /** When the host last answered on any channel (opened one, sent output, closed one). */
  private lastHeardAt = 0;
  private readonly heard = (): void => {
    this.lastHeardAt = Date.now();
  };

  constructor(
    private readonly target: HostConnection,
    private readonly client: Client,
    private readonly options: SshTransportOptions,
  ) {
    this.host = target.host;
    this.sessions = pLimit(options.maxSessionsPerConnection);
    client.on("error", (error: Error) => {
      this.lost ??= error;
    });
    client.on("close", () => {
      this.lost ??= new Error("connection closed");
    });
  }

  get usable(): boolean {
    return this.lost === undefined && !this.closed && !this.unresponsive;
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.sessions(() => this.execNow(command, options));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.unresponsive) {
      this.client.destroy();
      return;
    }
    // the side-channel kills of timed-out or interrupted commands finish before the connection goes
    await this.killsDone();
    await endClient(this.client);
  }

  private killsDone(): Promise<void> {
    if (this.killer.activeCount === 0 && this.killer.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const bound = setTimeout(resolve, KILL_GRACE_MS);
      void this.killer(() => Promise.resolve()).then(() => {
        clearTimeout(bound);
        resolve();
      });
    });
  }

  private async execNow(command: string, options: ExecOptions): Promise<ExecResult> {
    this.assertAlive();
    const become = options.become ?? this.target.become
      ? { user: options.becomeUser ?? this.target.becomeUser, password: this.options.becomePassword }
      : undefined;
    const result = await superviseCommand(
      { command, become, timeoutMs: options.timeoutMs, stdin: options.stdin, outputLimit: this.options.outputLimit, signal: options.signal },
      (line) => this.openChannel(line, become),
    );
    if (result.killUnanswered) this.unresponsive = true;
    if (result.exitCode === null && result.signal === null && !result.timedOut && !result.interrupted && this.lost) {
      throw new TransportError("connection-lost", this.host, `the connection broke while running a command: ${this.lost.message}`, {
        hint: "the host rebooted, sshd restarted, or the network dropped",
        partialOutput: { stdout: result.stdout, stderr: result.stderr },
      });
    }
    return result;
  }

  private assertAlive(): void {
    if (this.lost || this.closed) {
      throw new TransportError("connection-lost", this.host, `the connection is gone (${this.lost?.message ?? "closed"})`);
    }
  }

  /**
   * sshd refuses "signal" requests on root logins (no post-auth privilege separation there), and on
   * other logins it signals as the login user, which cannot reach a command sudo runs as root. So
   * a timed-out or interrupted command is also killed by process group from a side channel (under
   * become when the command was), one at a time so that the side channel never pushes the
   * connection past sshd's MaxSessions. Settles when the kill ran, or failed.
   */
  private killGroups(groups: readonly number[], become: BecomeSettings | undefined): Promise<void> {
    if (groups.length === 0) return Promise.resolve();
    return this.killer(() =>
      superviseCommand(
        // POSIX form: dash (the /bin/sh sudo runs) refuses `kill -KILL -- -PGID`
        { command: `kill -s KILL -- ${groups.map((group) => `-${group}`).join(" ")} 2>/dev/null`, become, timeoutMs: undefined, stdin: undefined, outputLimit: 1024 },
        (line) => this.openChannel(line, undefined),
      ),
    ).then(() => {}, () => {});
  }

  /**
   * Open a session channel. sshd may still count a session whose channel we already saw close
   * (it frees the slot only once it has reaped the child), so "open failed" right at the limit is
   * usually transient: retry with backoff before calling the channel failed.
   */
  private async openChannel(commandLine: string, become: BecomeSettings | undefined): Promise<RunningCommand> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.openChannelOnce(commandLine, become);
      } catch (error) {
        const retryable = error instanceof TransportError && error.kind === "channel-failed" && attempt < OPEN_RETRY_DELAYS_MS.length;
        if (!retryable) throw error;
        await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_DELAYS_MS[attempt]));
        this.assertAlive();
      }
    }
  }

  private openChannelOnce(commandLine: string, become: BecomeSettings | undefined): Promise<RunningCommand> {
    return new Promise((resolve, reject) => {
      try {
        this.client.exec(commandLine, (error, channel) => {
          if (error) {
            const kind = this.lost ? "connection-lost" : "channel-failed";
            reject(new TransportError(kind, this.host, `could not open a session channel: ${error.message}`, {
              hint: "sshd refused a new session (MaxSessions is below fleet's 8 channels per host?) or the connection broke",
            }));
            return;
          }
          this.heard();
          resolve(channelCommand(channel, { killGroups: (groups) => this.killGroups(groups, become), heard: this.heard, lastHeardAt: () => this.lastHeardAt }));
        });
      } catch (error) {
        reject(new TransportError("connection-lost", this.host, `could not open a session channel: ${messageOf(error)}`));
      }
    });
  }
}

/** How long closing a connection waits for its side-channel kills. */
const KILL_GRACE_MS = 5_000;

/** Backoff between attempts to open a channel that sshd refused (about 3 s in all). */
const OPEN_RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1_600];

type BecomeSettings = { user: string; password: string | undefined };

/** What a channel's command needs of its connection. */
interface ChannelContext {
  killGroups(groups: readonly number[]): Promise<void>;
  /** The host said something on this channel. */
  heard(): void;
  lastHeardAt(): number;
}

function channelCommand(channel: ClientChannel, context: ChannelContext): RunningCommand {
  let code: number | null = null;
  let signal: string | null = null;
  let exited = false;
  const exitListeners: ((exit: CommandExit) => void)[] = [];
  const finish = (unanswered = false): void => {
    if (exited) return;
    exited = true;
    for (const listener of exitListeners) listener({ code, signal, ...(unanswered ? { unanswered } : {}) });
  };
  channel.on("exit", (exitCode: number | null, exitSignal?: string) => {
    context.heard();
    if (typeof exitCode === "number") code = exitCode;
    if (typeof exitSignal === "string") signal = exitSignal.startsWith("SIG") ? exitSignal : `SIG${exitSignal}`;
  });
  channel.on("close", () => {
    context.heard();
    finish();
  });
  channel.on("error", () => {});
  channel.stderr.on("error", () => {});
  return {
    onStdout: (listener) => channel.on("data", (chunk: Buffer) => {
      context.heard();
      listener(chunk);
    }),
    onStderr: (listener) => channel.stderr.on("data", (chunk: Buffer) => {
      context.heard();
      listener(chunk);
    }),
    onExit: (listener) => {
      exitListeners.push(listener);
    },
    writeStdin: (data) => {
      if (channel.writable) channel.write(data);
    },
    endStdin: () => {
      if (channel.writable) channel.end();
    },
    kill: (groups) => {
      const killedAt = Date.now();
      signalChannel(channel, "KILL");
      const sideKill = context.killGroups(groups);
      try {
        channel.close();
      } catch {
        // already closed
      }
      // A channel still open after the grace is "unanswered" (a frozen or cut-off host) only when
      // the host said nothing since the kill: a host that answers but is slow (sudo on a loaded
      // host) gets until its side-channel kill has run, up to KILL_GRACE_MS.
      setTimeout(() => {
        if (context.lastHeardAt() < killedAt) return finish(true);
        const bound = new Promise<void>((resolve) => setTimeout(resolve, KILL_GRACE_MS - CLOSE_GRACE_MS).unref());
        void Promise.race([sideKill, bound]).then(() => finish(true));
      }, CLOSE_GRACE_MS).unref();
    },
  };
}

/**
 * ssh2's channel.signal() is silently skipped once our side sent EOF (stdin ended), which is the
 * normal state of a running command. The SSH protocol allows the request on any open channel, and
 * sshd delivers it with killpg to the command's whole process group, so send it through the
 * protocol object directly. Narrowed by shape: if ssh2's internals change, we fall back to closing.
 */
function signalChannel(channel: ClientChannel, signalName: string): void {
  const internals = channel as unknown as {
    outgoing?: { id?: unknown; state?: unknown };
    _client?: { _protocol?: { signal?: unknown } };
  };
  const protocol = internals._client?._protocol;
  const id = internals.outgoing?.id;
  const state = internals.outgoing?.state;
  if ((state !== "open" && state !== "eof") || typeof id !== "number" || typeof protocol?.signal !== "function") return;
  try {
    protocol.signal(id, signalName);
  } catch {
    // the connection is going away; closing the channel below is all that is left to do
  }
}
