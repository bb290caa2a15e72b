import { shellQuote } from "../transport/shell-quote.js";
import { FactParseError } from "./errors.js";
import { NO_SNAP, snapFailure, withSnap } from "./snap.js";
import type { FactKind } from "./types.js";

/** One installed snap as `snap list NAME` shows it. */
export type SnapListing =
  | { state: "no_snap" }
  | { state: "not_installed" }
  | { state: "error"; message: string }
  | {
      state: "installed";
      version: string;
      revision: string;
      /** The channel it follows ("5.21/stable"); null for a snap installed from a file ("-") or an old snap without the column. */
      tracking: string | null;
      publisher: string;
      notes: string;
    };

export const snapList: FactKind<SnapListing> = {
  name: "snap_list",
  probe: (name) => withSnap(`snap list ${shellQuote(name)}`),
  parse: (raw, name) => {
    if (raw.stdout.trim() === NO_SNAP) return { state: "no_snap" };
    if (raw.exitCode !== 0) return snapFailure(raw.stderr, raw.exitCode);
    return parseSnapList(raw.stdout, name);
  },
};

/**
 * The table is aligned with spaces (Go's tabwriter) and no cell holds a space, so cells split on
 * whitespace; columns are found by their header, not their position.
 */
export function parseSnapList(text: string, name: string): SnapListing {
  const [header, ...rows] = text.split("\n").map((line) => line.trim().split(/\s+/)).filter((cells) => cells.join("") !== "");
  if (header === undefined || header[0] !== "Name") throw new FactParseError("snap_list", name, `no header line in ${JSON.stringify(text.slice(0, 200))}`);
  const row = rows.find((cells) => cells[0] === name);
  if (row === undefined) return { state: "not_installed" };
  const cell = (column: string): string | undefined => {
    const index = header.indexOf(column);
    return index < 0 ? undefined : row[index];
  };
  const tracking = cell("Tracking");
  return {
    state: "installed",
    version: cell("Version") ?? "",
    revision: cell("Rev") ?? "",
    tracking: tracking === undefined || tracking === "-" ? null : tracking,
    publisher: cell("Publisher") ?? cell("Developer") ?? "",
    notes: cell("Notes") ?? "",
  };
}
