import type { HostConnection } from "../../../src/inventory/types.js";
import { hostConnectionFor } from "../../support/host-connection.js";

/** Plain SSH targets h1..hN for tests of the engine with the fake transport. */
export const targetsNamed = (count: number, prefix = "h"): HostConnection[] =>
  Array.from({ length: count }, (_, index) =>
    hostConnectionFor(`${prefix}${index + 1}`, { address: `127.0.9.${index + 1}`, port: 22, user: "root" }),
  );
