import { z } from "zod";
import { absolutePath, argsObject, attributeShape } from "./support/args.js";
import { fileWriteFacts, planFileWrite } from "./support/file-write.js";
import type { Module } from "./types.js";

/** A string that UTF-8 can hold as is: a lone surrogate would be written as U+FFFD and never compare equal. */
export const textContent = z.string().refine((text) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text), { message: "must be valid Unicode text (it holds a lone surrogate escape)" });

export const copyArgs = argsObject("copy", {
  dest: absolutePath,
  content: textContent.optional(),
  /**
   * A file of the playbook's directory. Plans are pure and PlanContext cannot read files yet, so
   * src is refused with a pointer to template/content; the schema names it so that the message
   * says so instead of "unknown argument".
   */
  src: z.string().optional(),
  ...attributeShape,
  /** Keep the replaced file as DEST.fleet-backup (a fixed name: a timestamp would make plans impure). */
  backup: z.boolean().default(false),
})
  .superRefine((args, ctx) => {
    if (args.content !== undefined && args.src !== undefined) ctx.addIssue({ code: "custom", path: ["src"], message: "give either content or src, not both" });
    else if (args.src !== undefined) ctx.addIssue({ code: "custom", path: ["src"], message: "copy does not read src files yet: put the text in content, or use the template module (src under templates/)" });
    else if (args.content === undefined) ctx.addIssue({ code: "custom", path: ["content"], message: "content is required (the text dest must hold)" });
  })
  .transform(({ src: _src, content, ...rest }) => ({ ...rest, content: content ?? "" }));

export type CopyArgs = z.output<typeof copyArgs>;

/** dest must hold exactly `content`, written atomically; mode/owner/group as given. */
export const copyModule: Module<CopyArgs> = {
  name: "copy",
  description: "Make a file hold the given content (written atomically), with mode, owner, group; backup keeps DEST.fleet-backup.",
  args: copyArgs,
  verifiable: true,
  facts: (args) => fileWriteFacts(args.dest),
  plan: (args, facts) => planFileWrite({ path: args.dest, mode: args.mode, owner: args.owner, group: args.group, backup: args.backup }, args.content, facts),
};
