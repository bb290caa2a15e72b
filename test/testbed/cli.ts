/** `npm run testbed:up|down|status` — see README.md "The testbed". */
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_SIZE } from "./layout.js";
import { down, status, up } from "./testbed.js";

const log = (line: string): void => console.log(line);

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError("expected a whole number");
  return parsed;
}

const program = new Command("testbed").description("A fleet of real OpenSSH + LXD hosts on this machine, for fleet's tests");
program
  .command("up")
  .description("start (or top up) the testbed; idempotent")
  .option("--hosts <n>", "standalone hosts tb1..tbN", count, DEFAULT_SIZE.hosts)
  .option("--cluster <m>", "members of the LXD cluster tbc1..tbcM (0 for none)", count, DEFAULT_SIZE.cluster)
  .action(async (options: { hosts: number; cluster: number }) => {
    await up({ size: { hosts: options.hosts, cluster: options.cluster } }, log);
  });
program
  .command("down")
  .description("stop every testbed process and remove its state")
  .action(async () => down(log));
program
  .command("status")
  .description("list the hosts and their health")
  .action(async () => {
    const hosts = await status();
    if (hosts.length === 0) {
      log("testbed is down");
      return;
    }
    console.table(hosts);
    if (hosts.some((host) => host.sshd !== "running" || host.lxd !== "running" || !host.reachable)) process.exitCode = 1;
  });

try {
  await program.parseAsync();
} catch (error) {
  console.error(`testbed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
