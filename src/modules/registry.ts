import { assertModule } from "./assert.js";
import { auditdRulesModule } from "./auditd-rules.js";
import { commandModule } from "./command.js";
import { copyModule } from "./copy.js";
import { fileModule } from "./file.js";
import { groupMembersModule } from "./group-members.js";
import { lineinfileModule } from "./lineinfile.js";
import { lxdCertificatesAuditModule } from "./lxd-certificates-audit.js";
import { lxdConfigModule } from "./lxd-config.js";
import { lxdDaemonModule } from "./lxd-daemon.js";
import { lxdHttpsAddressModule } from "./lxd-https-address.js";
import { lxdInstancesAuditModule } from "./lxd-instances-audit.js";
import { lxdNetworkAclModule } from "./lxd-network-acl.js";
import { lxdNetworkAclsAuditModule } from "./lxd-network-acls-audit.js";
import { lxdProfileModule } from "./lxd-profile.js";
import { lxdProjectModule } from "./lxd-project.js";
import { lxdProjectsAuditModule } from "./lxd-projects-audit.js";
import { lxdResourcesAuditModule } from "./lxd-resources-audit.js";
import { manualModule } from "./manual.js";
import { shellModule } from "./shell.js";
import { snapModule } from "./snap.js";
import { sysctlModule } from "./sysctl.js";
import { templateModule } from "./template.js";
import { tmpfilesModule } from "./tmpfiles.js";
import type { Module } from "./types.js";

/**
 * A module as the registry holds it. Its plan only ever receives what its own schema parsed,
 * so forgetting the argument type here loses nothing.
 */
const erased = <Args>(module: Module<Args>): Module<unknown> => module as unknown as Module<unknown>;

/** The modules a playbook can name. Add one line per module. */
const BUILTIN: readonly Module<unknown>[] = [
  erased(assertModule),
  erased(auditdRulesModule),
  erased(commandModule),
  erased(copyModule),
  erased(fileModule),
  erased(groupMembersModule),
  erased(lineinfileModule),
  erased(lxdCertificatesAuditModule),
  erased(lxdConfigModule),
  erased(lxdDaemonModule),
  erased(lxdHttpsAddressModule),
  erased(lxdInstancesAuditModule),
  erased(lxdNetworkAclModule),
  erased(lxdNetworkAclsAuditModule),
  erased(lxdProfileModule),
  erased(lxdProjectModule),
  erased(lxdProjectsAuditModule),
  erased(lxdResourcesAuditModule),
  erased(manualModule),
  erased(shellModule),
  erased(snapModule),
  erased(sysctlModule),
  erased(templateModule),
  erased(tmpfilesModule),
];

export type ModuleRegistry = ReadonlyMap<string, Module<unknown>>;

export function builtinModules(): ModuleRegistry {
  return new Map(BUILTIN.map((module) => [module.name, module]));
}
