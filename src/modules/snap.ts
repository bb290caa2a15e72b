import { z } from "zod";
import { SBIN_PATH } from "../facts/sbin-path.js";
import { optionText, snapConfig, type SnapConfig } from "../facts/snap.js";
import { fact, type FactReader, type FactRequest } from "../facts/types.js";
import { shellQuote } from "../transport/shell-quote.js";
import { ok, type Module, type Plan, type PlannedCommand } from "./types.js";

export interface SnapArgs {
  /** The snap: "lxd". */
  name: string;
  /** Option (dotted key) → wanted value: {"daemon.syslog": true}. */
  config: Record<string, string | number | boolean>;
  /** Restart the snap's services after a change (`snap restart NAME`). */
  restart: boolean;
}

const SNAP_NAME = /^[a-z0-9](?:-?[a-z0-9])*$/;
/** snapd's option keys: dotted segments of lowercase letters and digits, single dashes inside. */
const OPTION_KEY = /^[a-z0-9](?:-?[a-z0-9])*(?:\.[a-z0-9](?:-?[a-z0-9])*)*$/;

/**
 * `snap set` stores a value as JSON when it parses as JSON (true, 5, "x", {...}), as the string
 * otherwise (cmd/snap/cmd_set.go). The value snapd will hold, as text (optionText).
 */
export const storedText = (text: string): string => optionText(decoded(text));

function decoded(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const valueText = (value: string | number | boolean): string => String(value);

export const snapArgs: z.ZodType<SnapArgs, unknown> = z
  .object({
    name: z.string().regex(SNAP_NAME, "expected a snap name such as lxd"),
    config: z
      .record(z.string().regex(OPTION_KEY, "expected a dotted option key such as daemon.syslog"), z.union([z.string(), z.number(), z.boolean()]))
      .superRefine((config, context) => {
        const keys = Object.keys(config);
        if (keys.length === 0) context.addIssue({ code: "custom", message: "give at least one option" });
        for (const [key, value] of Object.entries(config)) {
          const text = valueText(value);
          const stored = decoded(text);
          if (text === "" || stored === null) context.addIssue({ code: "custom", path: [key], message: "must not be empty or null (snap set would unset the option; fleet does not unset options)" });
          else if (typeof stored === "object") context.addIssue({ code: "custom", path: [key], message: "snap would store this as a JSON document: set its leaves with dotted keys instead" });
          const parent = keys.find((other) => key.startsWith(`${other}.`));
          if (parent !== undefined) context.addIssue({ code: "custom", path: [key], message: `conflicts with ${parent}, which sets the whole of it` });
        }
      }),
    restart: z.boolean().default(false),
  })
  .strict();

const request = (args: SnapArgs): FactRequest<SnapConfig> => fact(snapConfig, args.name);

/**
 * Sets snap options with one `snap set` of the options that differ. A value matches when the
 * snap holds it as written or as snapd stores it (true for "true"): the testbed's stand-in keeps
 * text, snapd keeps JSON. Unset options are absent, never "unset-equals-default".
 */
export const snapModule: Module<SnapArgs> = {
  name: "snap",
  description: "Set options of a snap (snap set) and optionally restart its services",
  args: snapArgs,
  facts: (args) => [request(args)],
  plan: planSnap,
  verifiable: true,
};

function planSnap(args: SnapArgs, facts: FactReader): Plan {
  const config = facts.get(request(args));
  if (config.state === "no_snap") return { kind: "not_applicable", reason: "snap not installed" };
  if (config.state === "not_installed") return { kind: "not_applicable", reason: `snap ${args.name} is not installed` };
  if (config.state === "error") return { kind: "error", message: `snap get -d ${args.name} failed: ${config.message}` };

  const wanted = Object.entries(args.config).map(([key, value]) => ({ key, text: valueText(value), found: Object.hasOwn(config.options, key) ? config.options[key] : undefined }));
  const differing = wanted.filter(({ text, found }) => found !== text && found !== storedText(text));
  const shown = (entries: typeof wanted): string => entries.map(({ key, text }) => `${key}=${text}`).join(", ");
  if (differing.length === 0) return ok(`already set on ${args.name}: ${shown(wanted)}`);

  const commands: PlannedCommand[] = [
    {
      script: `${SBIN_PATH}\nsnap set ${shellQuote(args.name)} ${differing.map(({ key, text }) => shellQuote(`${key}=${text}`)).join(" ")}`,
      description: `snap set ${args.name} ${differing.map(({ key, text }) => `${key}=${text}`).join(" ")}`,
    },
  ];
  if (args.restart) commands.push({ script: `${SBIN_PATH}\nsnap restart ${shellQuote(args.name)}`, description: `restart the services of snap ${args.name}` });
  const before = (entry: (typeof wanted)[number]): string => (entry.found === undefined ? `${entry.key} unset` : `${entry.key}=${entry.found}`);
  return {
    kind: "change",
    summary: `set ${shown(differing)} on ${args.name}${args.restart ? `; restart ${args.name}` : ""}`,
    diff: { before: differing.map((entry) => `${before(entry)}\n`).join(""), after: differing.map(({ key, text }) => `${key}=${text}\n`).join("") },
    commands,
    effects: [{ request: request(args), value: { state: "config", options: { ...config.options, ...Object.fromEntries(differing.map(({ key, text }) => [key, storedText(text)])) } } }],
    expected: shown(differing),
    actual: differing.map(before).join(", "),
  };
}
