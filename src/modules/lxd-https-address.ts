import { z } from "zod";
import { lxdServer, type LxdServer } from "../facts/lxd/server.js";
import { fact } from "../facts/types.js";
import { argsObject } from "./support/args.js";
import { lxcCommand } from "./support/lxd-plan.js";
import type { Module, Plan } from "./types.js";

const httpsArgs = argsObject("lxd_https_address", {
  /** The address to listen on ("192.0.2.10:8443"); "" for the unix socket only; absent: audit only. */
  address: z.string().regex(/^\S*$/, "an address has no spaces").optional(),
});

export type LxdHttpsAddressArgs = z.infer<typeof httpsArgs>;

const serverRequest = fact(lxdServer, "");

/** The host part of an address is a wildcard: "", 0.0.0.0, :: or [::] (":8443", "[::]:8443"). */
export function listensEverywhere(address: string): boolean {
  if (address === "") return false;
  const host = address.startsWith("[") ? address.slice(0, address.indexOf("]") + 1) : address.includes(":") && address.split(":").length === 2 ? (address.split(":")[0] ?? "") : address;
  return host === "" || host === "0.0.0.0" || host === "::" || host === "[::]";
}

/**
 * LXD-NET-02: the API must not listen on every interface. core.https_address is member-local, so
 * this runs on each member. Without `address` it only audits; with it, it sets that address
 * (a wrong one cuts off remote access: the baseline makes it opt-in).
 */
export const lxdHttpsAddressModule: Module<LxdHttpsAddressArgs> = {
  name: "lxd_https_address",
  description: "audit (or set) the LXD API's listen address: never every interface",
  args: httpsArgs,
  verifiable: true,
  facts: () => [serverRequest],
  plan: (args, facts): Plan => {
    const server: LxdServer = facts.get(serverRequest);
    if (server.state === "no_lxd") return { kind: "not_applicable", reason: "LXD is not installed" };
    if (server.state === "error") return { kind: "error", message: `cannot read the LXD server: ${server.message}` };
    const current = server.config["core.https_address"] ?? "";
    const shown = current === "" ? '"" (unix socket only)' : current;
    if (args.address === undefined) {
      if (listensEverywhere(current)) return { kind: "fail", message: `core.https_address is ${current}: the API listens on every interface`, expected: "a specific address, or unset", actual: current };
      return { kind: "ok", reason: `core.https_address is ${shown}`, actual: current };
    }
    if (current === args.address) return { kind: "ok", reason: `core.https_address is ${shown}`, actual: current };
    const config = { ...server.config };
    if (args.address === "") delete config["core.https_address"];
    else config["core.https_address"] = args.address;
    return {
      kind: "change",
      summary: `core.https_address ${shown} → ${args.address === "" ? '"" (unix socket only)' : args.address}`,
      diff: { before: `core.https_address: ${current}\n`, after: `core.https_address: ${args.address}\n` },
      commands: [{ script: args.address === "" ? lxcCommand("config", "unset", "core.https_address") : lxcCommand("config", "set", `core.https_address=${args.address}`), description: `set core.https_address to ${args.address || '""'}` }],
      effects: [{ request: serverRequest, value: { ...server, config } }],
      expected: args.address,
      actual: current,
    };
  },
};
