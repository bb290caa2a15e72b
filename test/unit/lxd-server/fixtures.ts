/** The captured LXD server/daemon fixtures (test/fixtures/lxd/server), parsed as the engine would. */
import type { LxdSnapDaemon } from "../../../src/facts/lxd/daemon-options.js";
import { lxdSnapDaemon } from "../../../src/facts/lxd/daemon-options.js";
import { lxdServiceUnit, type LxdServiceUnit } from "../../../src/facts/lxd/daemon-unit.js";
import { lxdInstall, type LxdInstall } from "../../../src/facts/lxd/install.js";
import { lxdServer, parseServerDocument, type LxdServer, type LxdServerInfo } from "../../../src/facts/lxd/server.js";
import type { FactValue, RawProbe } from "../../../src/facts/types.js";
import installJson from "../../fixtures/lxd/server/install.json" with { type: "json" };
import serverJson from "../../fixtures/lxd/server/server.json" with { type: "json" };
import server521 from "../../fixtures/lxd/server/server-5.21-docs.json" with { type: "json" };
import server69 from "../../fixtures/lxd/server/server-6.9-docs.json" with { type: "json" };
import unitJson from "../../fixtures/lxd/server/service-unit.json" with { type: "json" };
import snapJson from "../../fixtures/lxd/server/snap-daemon.json" with { type: "json" };

type Captures = { note: string; captures: Record<string, RawProbe> };

function raw(file: Captures, name: string): RawProbe {
  const probe = file.captures[name];
  if (probe === undefined) throw new Error(`no capture ${name}`);
  return probe;
}

export const rawServer = (name: string): RawProbe => raw(serverJson as Captures, name);
export const rawInstall = (name: string): RawProbe => raw(installJson as Captures, name);
export const rawSnapDaemon = (name: string): RawProbe => raw(snapJson as Captures, name);
export const rawUnit = (name: string): RawProbe => raw(unitJson as Captures, name);

export const server = (name: string): LxdServer => lxdServer.parse(rawServer(name), "");
export const install = (name: string): LxdInstall => lxdInstall.parse(rawInstall(name), "");
export const snapDaemon = (name: string): LxdSnapDaemon => lxdSnapDaemon.parse(rawSnapDaemon(name), "");
export const unit = (name: string): LxdServiceUnit => lxdServiceUnit.parse(rawUnit(name), "");

/** The /1.0 documents built from the LXD docs (5.21.7 and 6.9 shapes). */
export const docsServer = (version: "5.21" | "6.9"): LxdServerInfo => parseServerDocument(version === "6.9" ? server69 : server521);

export function serverInfo(name: string): LxdServerInfo {
  const value = server(name);
  if (value.state !== "server") throw new Error(`${name} is ${value.state}`);
  return value;
}

/** Fact values by key, for planModule. */
export const serverFacts = (value: LxdServer): Record<string, FactValue> => ({ "lxd_server:": value });
export const daemonFacts = (installed: LxdInstall, options: LxdSnapDaemon, serviceUnit: LxdServiceUnit): Record<string, FactValue> => ({
  "lxd_install:": installed,
  "lxd_snap_daemon:": options,
  "lxd_service_unit:": serviceUnit,
});
