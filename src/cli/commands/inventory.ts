import { UsageError } from "../../errors.js";
import { loadInventory } from "../../inventory/load.js";
import { InventoryCode } from "../../inventory/problems.js";
import { pythonJson } from "../../inventory/python-json.js";
import { inventoryGraph, inventoryList, printableVars } from "../../inventory/render.js";
import { selectHosts } from "../../inventory/select.js";
import { registerCommand, type CliIo } from "../program.js";

interface InventoryOptions {
  inventory?: string[];
  list?: boolean;
  graph?: boolean;
  host?: string;
  limit?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

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

registerCommand((program, context) => {
  program
    .command("inventory")
    .description("show the inventory as fleet reads it, in ansible-inventory's shapes")
    .option("-i, --inventory <path>", "inventory file, directory or host list (repeatable; default: $FLEET_INVENTORY)", collect)
    .option("--list", "print all groups and hosts with their merged variables as JSON")
    .option("--graph", "print the group tree")
    .option("--host <name>", "print one host's merged variables as JSON")
    .option("-l, --limit <pattern>", "only hosts matching this Ansible pattern (e.g. 'web:&prod', '~tb[0-9]+', @file)")
    .action(async (options: InventoryOptions) => {
      await runInventory(options, context.io);
    });
});

async function runInventory(options: InventoryOptions, io: CliIo): Promise<void> {
  const actions = [options.list === true, options.graph === true, options.host !== undefined].filter(Boolean).length;
  if (actions !== 1) {
    throw new UsageError(
      "INVENTORY_ACTION",
      actions === 0 ? "no action given" : "only one of --list, --graph and --host may be given",
      "use exactly one of --list, --graph or --host NAME",
    );
  }
  const inventory = await loadInventory(inventorySources(options.inventory ?? [], io.env));
  for (const warning of inventory.warnings) io.stderr.write(`fleet: warning: ${warning}\n`);
  const selected = options.limit === undefined ? undefined : selectHosts(inventory, options.limit);

  if (options.host !== undefined) {
    const matches = selectHosts(inventory, options.host, options.limit);
    const [host] = matches;
    if (host === undefined || matches.length !== 1) {
      throw new UsageError("INVENTORY_HOST", `--host ${options.host} matches ${matches.length} hosts`, "give the name of a single host");
    }
    io.stdout.write(`${pythonJson(printableVars(host))}\n`);
  } else if (options.graph === true) {
    io.stdout.write(`${inventoryGraph(inventory, selected)}\n`);
  } else {
    io.stdout.write(`${pythonJson(inventoryList(inventory, selected))}\n`);
  }
}
