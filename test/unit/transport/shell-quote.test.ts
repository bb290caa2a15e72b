import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellQuote } from "../../../src/transport/shell-quote.js";

describe("shellQuote", () => {
  it.each(["plain", "with space", "it's", "$HOME", "`id`", "a\"b", "new\nline", "", "*", "--", "a'b'c"])("round-trips %j through /bin/sh", (word) => {
    const echoed = execFileSync("/bin/sh", ["-c", `printf %s ${shellQuote(word)}`], { encoding: "utf8" });
    expect(echoed).toBe(word);
  });

  it("leaves safe words bare", () => {
    expect(shellQuote("/usr/bin/id")).toBe("/usr/bin/id");
    expect(shellQuote("root")).toBe("root");
  });
});
