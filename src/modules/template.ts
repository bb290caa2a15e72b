import { z } from "zod";
import { absolutePath, argsObject, attributeShape } from "./support/args.js";
import { fileWriteFacts, planFileWrite } from "./support/file-write.js";
import type { Module } from "./types.js";

/** A path inside the playbook's templates/ directory: relative, without "." or ".." parts. */
export const templatePath = z.string().superRefine((path, ctx) => {
  if (path === "" || path.startsWith("/")) ctx.addIssue({ code: "custom", message: `must be a path relative to the playbook's templates/ directory (got ${JSON.stringify(path)})` });
  else if (path.split("/").some((part) => part === "." || part === "..")) ctx.addIssue({ code: "custom", message: `must stay inside templates/: no "." or ".." parts (got ${JSON.stringify(path)})` });
  else if (/[\u0000-\u001f\u007f]/.test(path)) ctx.addIssue({ code: "custom", message: "must not contain control characters" });
});

export const templateArgs = argsObject("template", {
  src: templatePath,
  dest: absolutePath,
  ...attributeShape,
  backup: z.boolean().default(false),
});

export type TemplateArgs = z.output<typeof templateArgs>;

/**
 * copy with the content rendered from a template of the playbook (context.renderTemplate, per
 * host). A template that cannot be read or rendered is a playbook problem, not a host state: the
 * error renderTemplate throws is left to the engine, which reports it on the task.
 */
export const templateModule: Module<TemplateArgs> = {
  name: "template",
  description: "Render a file of the playbook's templates/ directory for the host and write it to dest (as copy does).",
  args: templateArgs,
  verifiable: true,
  facts: (args) => fileWriteFacts(args.dest),
  plan: (args, facts, context) => planFileWrite({ path: args.dest, mode: args.mode, owner: args.owner, group: args.group, backup: args.backup }, context.renderTemplate(args.src), facts),
};
