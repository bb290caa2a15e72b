import type { FactValue } from "../types.js";
import { lxdInstall, type LxdInstall } from "./install.js";
import { lxdServer, type LxdServer } from "./server.js";

const SEPARATOR = "@@fleet-lxd-collection@@";

/**
 * `facts.lxd`: what a playbook's conditions need to know about LXD on a host, in one probe:
 * installed and how (snap or deb), paths, the daemon's argv, the server's version, LTS flag,
 * API extensions, cluster membership and config. Modules read the same data as their own facts.
 */
export interface LxdCollection {
  [key: string]: FactValue;
  installed: boolean;
  kind: "snap" | "deb" | "none";
  lxc: string | null;
  lxd: string | null;
  dir: string | null;
  tracking: string | null;
  daemon_argv: string[];
  socket_group: string | null;
  /** The server answered over the unix socket. */
  reachable: boolean;
  error: string | null;
  version: string | null;
  lts: boolean;
  clustered: boolean;
  server_name: string | null;
  api_extensions: string[];
  config: { [key: string]: string };
}

export const lxdCollection = {
  name: "facts.lxd",
  probe: () => `(\n${lxdInstall.probe("")}\n)\necho '${SEPARATOR}'\n(\n${lxdServer.probe("")}\n)`,
  parse: (raw: { stdout: string; stderr: string; exitCode: number }): LxdCollection => {
    const at = raw.stdout.indexOf(`${SEPARATOR}\n`);
    const installText = at < 0 ? raw.stdout : raw.stdout.slice(0, at);
    const serverText = at < 0 ? "" : raw.stdout.slice(at + SEPARATOR.length + 1);
    const install = lxdInstall.parse({ stdout: installText, stderr: "", exitCode: 0 }, "");
    const server = lxdServer.parse({ stdout: serverText, stderr: raw.stderr, exitCode: serverText.trim() === "" ? 1 : raw.exitCode }, "");
    return collect(install, server);
  },
};

export function collect(install: LxdInstall, server: LxdServer): LxdCollection {
  const installed = install.kind !== "none";
  const base = {
    installed,
    kind: install.kind,
    lxc: install.lxc,
    lxd: install.kind === "none" ? null : install.lxd,
    dir: install.kind === "none" ? null : install.dir,
    tracking: install.kind === "none" ? null : install.tracking,
    daemon_argv: install.kind === "none" || install.daemon === null ? [] : install.daemon.argv,
    socket_group: install.kind === "none" ? null : install.socketGroup,
  };
  if (server.state !== "server") return { ...base, reachable: false, error: server.message, version: null, lts: false, clustered: false, server_name: null, api_extensions: [], config: {} };
  return { ...base, reachable: true, error: null, version: server.version, lts: server.lts, clustered: server.clustered, server_name: server.serverName, api_extensions: server.apiExtensions, config: server.config };
}
