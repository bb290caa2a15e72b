import { registerCommand } from "../program.js";
import { collectRepeated } from "../repeatable-option.js";
import type { InventoryOptions } from "./inventory-command.js";

registerCommand((program, context) => {
  program
    .command("inventory")
    .description("show the inventory as fleet reads it, in ansible-inventory's shapes")
    .option("-i, --inventory <path>", "inventory file, directory or host list (repeatable; default: $FLEET_INVENTORY)", collectRepeated)
    .option("--list", "print all groups and hosts with their merged variables as JSON")
    .option("--graph", "print the group tree")
    .option("--host <name>", "print one host's merged variables as JSON")
    .option("-l, --limit <pattern>", "only hosts matching this Ansible pattern (e.g. 'web:&prod', '~tb[0-9]+', @file)")
    .option("--shard <I/N>", "only the hosts of shard I of N, as run/audit/exec --shard would take them")
    .action(async (options: InventoryOptions) => {
      const { runInventory } = await import("./inventory-command.js");
      await runInventory(options, context.io);
    });
});

