import { FleetError } from "../errors.js";

/** A probe printed something its parser cannot read: the host differs from what fleet expects. */
export class FactParseError extends FleetError {
  constructor(kind: string, arg: string, detail: string) {
    super("FACT_UNREADABLE", `cannot read fact ${kind}:${arg}: ${detail}`, {
      hint: "run the probe by hand with fleet exec -v to see what the host prints",
    });
  }
}
