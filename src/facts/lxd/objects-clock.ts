import { FactParseError } from "../errors.js";
import type { FactKind } from "../types.js";

/**
 * The host's clock, in seconds since the epoch (UTC), read as a fact: a plan that judges expiry
 * dates stays pure and replayable (no clock of the controller in it), and it judges against the
 * time of the host that holds the certificates.
 */
export const hostTime: FactKind<number> = {
  name: "host_time",
  probe: () => "date -u +%s",
  parse: (raw, arg) => {
    const text = raw.stdout.trim();
    if (raw.exitCode !== 0 || !/^[0-9]+$/.test(text)) throw new FactParseError("host_time", arg, `date -u +%s printed ${JSON.stringify(text.slice(0, 40))} (exit ${raw.exitCode})`);
    return Number(text);
  },
};
