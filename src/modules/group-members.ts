import { z } from "zod";
import { groupEntry, primaryGroupUsers, type GroupEntry } from "../facts/group.js";
import { SBIN_PATH } from "../facts/sbin-path.js";
import { fact, type FactReader, type FactRequest } from "../facts/types.js";
import { succeedingWhenAlready } from "./support/tolerate.js";
import { shellQuote } from "../transport/shell-quote.js";
import { ok, type Module, type Plan } from "./types.js";

export interface GroupMembersArgs {
  group: string;
  /** The accounts that may belong to the group; every other member is removed. */
  allowed: string[];
}

/** A user or group name as shadow's tools accept it; never all digits (getent would read a gid). */
const ACCOUNT = /^(?!\d+$)[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/;

export const groupMembersArgs: z.ZodType<GroupMembersArgs, unknown> = z
  .object({
    group: z.string().regex(ACCOUNT, "expected a group name"),
    allowed: z.array(z.string().regex(ACCOUNT, "expected a user name")),
  })
  .strict();

const requests = (args: GroupMembersArgs): { entry: FactRequest<GroupEntry>; primary: FactRequest<string[] | null> } => ({
  entry: fact(groupEntry, args.group),
  primary: fact(primaryGroupUsers, args.group),
});

const list = (names: readonly string[]): string => (names.length === 0 ? "none" : names.join(", "));

/**
 * Keeps a group's members within an allowed list (LXD-ACC-01: the lxd group is root-equivalent).
 * Listed members that are not allowed are removed with gpasswd -d. Accounts whose primary group
 * it is belong to it too, but gpasswd cannot remove them: the plan fails and names them.
 * gpasswd edits /etc/group only: for a group from LDAP/SSSD the removal fails on the host.
 */
export const groupMembersModule: Module<GroupMembersArgs> = {
  name: "group_members",
  description: "Remove the members of a group that are not in an allowed list (gpasswd -d)",
  args: groupMembersArgs,
  facts: (args) => Object.values(requests(args)),
  plan: planMembers,
  verifiable: true,
};

function planMembers(args: GroupMembersArgs, facts: FactReader): Plan {
  const request = requests(args);
  const entry = facts.get(request.entry);
  if (!entry.exists) return ok(`group ${args.group} does not exist`);
  const primary = facts.get(request.primary) ?? [];
  const allowed = new Set(args.allowed);
  const extra = [...new Set(entry.members.filter((member) => !allowed.has(member)))];
  const primaryExtra = primary.filter((user) => !allowed.has(user));
  const everyone = [...new Set([...entry.members, ...primary])];
  const expected = `members of ${args.group} within: ${list(args.allowed)}`;
  const actual = `members: ${list(entry.members)}${primary.length > 0 ? `; primary group of: ${list(primary)}` : ""}`;

  if (primaryExtra.length > 0) {
    const also = extra.length > 0 ? `; also not allowed: ${list(extra)}` : "";
    return {
      kind: "fail",
      message: `${list(primaryExtra)} ${primaryExtra.length === 1 ? "has" : "have"} ${args.group} as primary group, which gpasswd -d cannot remove (change it with usermod -g)${also}`,
      expected,
      actual,
    };
  }
  if (extra.length === 0) return ok(`members of ${args.group}: ${list(everyone)}, all allowed`, actual);

  const remaining = entry.members.filter((member) => allowed.has(member));
  return {
    kind: "change",
    summary: `remove ${list(extra)} from group ${args.group}`,
    diff: { before: entry.members.map((member) => `${member}\n`).join(""), after: remaining.map((member) => `${member}\n`).join("") },
    commands: extra.map((user) => ({ script: `${SBIN_PATH}\n${succeedingWhenAlready(`gpasswd -d ${shellQuote(user)} ${shellQuote(args.group)}`, "is not a member", ":")}`, description: `remove ${user} from group ${args.group}` })),
    effects: [{ request: request.entry, value: { exists: true, gid: entry.gid, members: remaining } }],
    expected,
    actual,
  };
}
