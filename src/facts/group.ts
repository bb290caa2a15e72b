import { shellQuote } from "../transport/shell-quote.js";
import { FactParseError } from "./errors.js";
import type { FactKind } from "./types.js";

/** A group as `getent group NAME` reads it (files, LDAP, SSSD: whatever NSS is set up with). */
export type GroupEntry = { exists: false } | { exists: true; gid: number; members: string[] };

export const groupEntry: FactKind<GroupEntry> = {
  name: "group",
  // getent exits 2 when the group does not exist; any other failure is printed for the parser.
  probe: (group) => `getent group -- ${shellQuote(group)} || echo "fleet:getent-exit:$?"`,
  parse: (raw, group) => {
    const text = raw.stdout.trim();
    if (text === "fleet:getent-exit:2") return { exists: false };
    const fields = text.split(":");
    const [, , gid, members] = fields;
    if (fields.length !== 4 || gid === undefined || members === undefined || !/^\d+$/.test(gid)) {
      throw new FactParseError("group", group, `unexpected getent output ${JSON.stringify(text)}`);
    }
    return { exists: true, gid: Number(gid), members: members === "" ? [] : members.split(",") };
  },
};

/**
 * The accounts in /etc/passwd whose primary group (field 4) is the group's gid: they belong to
 * the group without being listed in it. null when the group does not exist.
 */
export const primaryGroupUsers: FactKind<string[] | null> = {
  name: "primary_group_users",
  probe: (group) =>
    `fleet_gid=$(getent group -- ${shellQuote(group)} | cut -d: -f3) && [ -n "$fleet_gid" ] || { echo fleet:no-group; exit 0; }; ` +
    `awk -F: -v gid="$fleet_gid" '$4 == gid { print $1 }' /etc/passwd`,
  parse: (raw, group) => {
    if (raw.stdout.trim() === "fleet:no-group") return null;
    if (raw.exitCode !== 0) throw new FactParseError("primary_group_users", group, raw.stderr.trim() || `exit status ${raw.exitCode}`);
    return raw.stdout.split("\n").filter((line) => line !== "");
  },
};
