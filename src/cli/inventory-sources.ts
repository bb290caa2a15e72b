import { UsageError } from "../errors.js";
import { InventoryCode } from "../inventory/problems.js";

/** -i sources, or else FLEET_INVENTORY (comma-separated, like ANSIBLE_INVENTORY). */
export function inventorySources(given: readonly string[], env: NodeJS.ProcessEnv): string[] {
  if (given.length > 0) return [...given];
  const fromEnv = (env["FLEET_INVENTORY"] ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (fromEnv.length > 0) return fromEnv;
  throw new UsageError(InventoryCode.noSource, "no inventory given", "pass -i INVENTORY (file or directory, repeatable) or set FLEET_INVENTORY");
}
