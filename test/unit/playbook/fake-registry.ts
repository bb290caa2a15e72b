import { z } from "zod";
import type { ModuleRegistry } from "../../../src/modules/registry.js";
import type { Module } from "../../../src/modules/types.js";

/** Small modules with strict zod schemas, so the playbook tests do not depend on the real ones. */
function fakeModule<Args>(name: string, args: z.ZodType<Args>, freeForm?: keyof Args & string): Module<unknown> {
  const module: Module<Args> = {
    name,
    description: `fake ${name}`,
    args,
    facts: () => [],
    plan: () => ({ kind: "ok", reason: "fake" }),
    verifiable: true,
    ...(freeForm === undefined ? {} : { freeForm }),
  };
  return module as unknown as Module<unknown>;
}

const fileArgs = z.object({ path: z.string(), mode: z.string().optional(), owner: z.string().optional(), state: z.enum(["file", "directory", "absent"]).optional() }).strict();
const commandArgs = z.object({ cmd: z.string(), creates: z.string().optional() }).strict();
const templateArgs = z.object({ src: z.string(), dest: z.string(), mode: z.string().optional() }).strict();
const sysctlArgs = z.object({ name: z.string(), value: z.union([z.string().regex(/^\d+$/, "must be digits"), z.number()]), reload: z.object({ now: z.boolean() }).strict().optional() }).strict();

export const fakeRegistry: ModuleRegistry = new Map([
  ["file", fakeModule("file", fileArgs)],
  ["command", fakeModule("command", commandArgs, "cmd")],
  ["template", fakeModule("template", templateArgs)],
  ["sysctl", fakeModule("sysctl", sysctlArgs)],
]);
