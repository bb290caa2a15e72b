import { lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KnownHostsStore } from "../../../src/transport/known-hosts/store.js";

const key = (index: number): Buffer => Buffer.from(`key-${index}`.padEnd(32, "."));

describe("known_hosts updates (accept-new)", () => {
  it("writers that do not know of each other (processes) never lose a line", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "fleet-kh-")), "known_hosts");
    writeFileSync(file, "existing.host ssh-ed25519 AAAA\n");
    // one store per writer: nothing serialises them, as with separate fleet processes
    await Promise.all(Array.from({ length: 40 }, (_, index) => new KnownHostsStore().record(file, `h${index}`, "ssh-ed25519", key(index))));
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(41);
    expect(new Set(lines.map((line) => line.split(" ")[0]))).toEqual(new Set(["existing.host", ...Array.from({ length: 40 }, (_, index) => `h${index}`)]));
  });

  it("updates a symlinked known_hosts through the link, and completes a last line without a newline", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-kh-"));
    const target = path.join(dir, "real_known_hosts");
    const link = path.join(dir, "known_hosts");
    writeFileSync(target, "existing.host ssh-ed25519 AAAA");
    symlinkSync(target, link);
    const store = new KnownHostsStore();
    await store.record(link, "new.host", "ssh-ed25519", key(1));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe(`existing.host ssh-ed25519 AAAA\nnew.host ssh-ed25519 ${key(1).toString("base64")}\n`);
  });
});
