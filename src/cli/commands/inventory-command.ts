import { terminalSafe } from "../terminal-safe.js";
import { UsageError } from "../../errors.js";
import { loadInventory } from "../../inventory/load.js";
import { pythonJson } from "../../inventory/python-json.js";
import { inventoryGraph, inventoryList, printableVars } from "../../inventory/render.js";
import { selectHosts } from "../../inventory/select.js";
import { hostsOfShard, parseShard } from "../../inventory/shard.js";
import { inventorySources } from "../inventory-sources.js";
import type { CliIo } from "../program.js";

export interface InventoryOptions {
  inventory?: string[];
  list?: boolean;
  graph?: boolean;
  host?: string;
  limit?: string;
  shard?: string;
}

/** `fleet inventory`: print the inventory in one of ansible-inventory's shapes. */
export async function runInventory(options: InventoryOptions, io: CliIo): Promise<void> {
  const actions = [options.list === true, options.graph === true, options.host !== undefined].filter(Boolean).length;
  if (actions !== 1) {
    throw new UsageError(
      "INVENTORY_ACTION",
      actions === 0 ? "no action given" : "only one of --list, --graph and --host may be given",
      "use exactly one of --list, --graph or --host NAME",
    );
  }
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const inventory = await loadInventory(inventorySources(options.inventory ?? [], io.env));
  for (const warning of inventory.warnings) io.stderr.write(`fleet: warning: ${terminalSafe(warning)}\n`);
  const limited = options.limit === undefined ? undefined : selectHosts(inventory, options.limit);
  const selected = shard === undefined ? limited : hostsOfShard(limited ?? [...inventory.hosts.values()], shard);

  if (options.host !== undefined) {
    const matches = selectHosts(inventory, options.host, options.limit).filter((host) => selected === undefined || selected.includes(host));
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
