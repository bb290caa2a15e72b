import { describe, expect, it } from "vitest";
import { MAX_DURATION_SECONDS, positiveSeconds } from "../../../src/cli/connection-options.js";

describe("duration options", () => {
  it("refuse what Node's timers cannot hold instead of firing at once", () => {
    expect(positiveSeconds("2.5", "--timeout")).toBe(2500);
    expect(positiveSeconds(String(MAX_DURATION_SECONDS), "--timeout")).toBe(MAX_DURATION_SECONDS * 1000);
    expect(MAX_DURATION_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(() => positiveSeconds("99999999", "--timeout")).toThrow(/--timeout 99999999 is too long: at most 2147483 seconds/);
    expect(() => positiveSeconds("0", "--connect-timeout")).toThrow(/above 0/);
  });
});
