import { z } from "zod";
import { lxdTrue } from "../facts/lxd/objects-common.js";
import { parseProjects, projectsRequest } from "../facts/lxd/objects-projects.js";
import { argsObject } from "./support/args.js";
import { listWords, lxdName, plural, unreadablePlan } from "./support/lxd-plan.js";
import { ok, type Module } from "./types.js";

const projectsAuditArgs = argsObject("lxd_projects_audit", {
  /** Projects allowed to be unrestricted (default is always allowed: it is the admins'). */
  allow: z.array(lxdName("project")).default([]),
  /** restricted.* keys every restricted project must hold, e.g. {"restricted.containers.nesting": "block"}. */
  require: z.record(z.string(), z.string()).default({}),
});

export type LxdProjectsAuditArgs = z.infer<typeof projectsAuditArgs>;

/** LXD-MU-02: every tenant project is restricted, with the restricted.* keys policy asks for. Audit only. */
export const lxdProjectsAuditModule: Module<LxdProjectsAuditArgs> = {
  name: "lxd_projects_audit",
  description: "find LXD projects other than default that are not restricted (or lack required restricted.* keys)",
  args: projectsAuditArgs,
  verifiable: true,
  facts: () => [projectsRequest],
  plan: (args, facts) => {
    const read = parseProjects(facts.get(projectsRequest));
    if (!read.ok) return unreadablePlan(read, "projects");
    const tenants = read.value.filter((project) => project.name !== "default" && !args.allow.includes(project.name));
    const findings: string[] = [];
    for (const project of tenants) {
      if (!lxdTrue(project.config["restricted"])) {
        findings.push(`project ${project.name} is not restricted`);
        continue;
      }
      for (const [key, value] of Object.entries(args.require)) {
        if ((project.config[key] ?? "") !== value) findings.push(`project ${project.name}: ${key} is ${project.config[key] ?? "unset"}, not ${value}`);
      }
    }
    if (tenants.length === 0) return ok(`no tenant projects (only ${listWords(read.value.map((project) => project.name))})`, "no tenant projects");
    if (findings.length === 0) return ok(`${plural(tenants.length, "tenant project")} restricted`, `${tenants.length} restricted`);
    return { kind: "fail", message: findings.join("; "), expected: "every tenant project restricted=true", actual: findings.join("; ") };
  },
};
