import { describe, expect, test } from "vitest";
import { expandHostRanges, HostRangeError, splitHostPort } from "../../../src/inventory/host-pattern.js";

// Expected values produced by Ansible 2.14 (expand_hostname_range, parse_address).
const ranges: Array<[string, string[]]> = [
  ["web[01:03].example.com", ["web01.example.com", "web02.example.com", "web03.example.com"]],
  ["db-[a:c]", ["db-a", "db-b", "db-c"]],
  ["h[1:3]", ["h1", "h2", "h3"]],
  ["h[01:10:3]", ["h01", "h04", "h07", "h10"]],
  ["x[1:2]y[a:b]", ["x1ya", "x1yb", "x2ya", "x2yb"]],
  ["h[:2]", ["h0", "h1", "h2"]],
  ["h[8:10]", ["h8", "h9", "h10"]],
  ["h[y:B]", ["hy", "hz", "hA", "hB"]],
  ["plain", ["plain"]],
];

// Ansible rejects all of these except h[05:01], which it silently expands to no host at all.
const badRanges = ["h[05:01]", "h[a:05]", "h[01:100]", "h[1:]", "h[1:2:3:4]", "h[0:4:0]", "h[c:a]", "h]1:2["];

const addresses: Array<[string, string, number | undefined]> = [
  ["h2:2222", "h2", 2222],
  ["[::1]:22", "::1", 22],
  ["web[01:03]:22", "web[01:03]", 22],
  ["weird!:22", "weird!:22", undefined],
  ["10.0.0.1:80", "10.0.0.1", 80],
  ["fe80::1", "fe80::1", undefined],
  ["host", "host", undefined],
  ["[web]:22", "web", 22],
  ["a_:1", "a_:1", undefined],
  ["-a:1", "-a:1", undefined],
  ["über:5", "über", 5],
  ["h[A:F]:5", "h[A:F]", 5],
];

describe("expandHostRanges", () => {
  test.each(ranges)("%s", (pattern, names) => {
    expect(expandHostRanges(pattern)).toEqual(names);
  });

  test.each(badRanges)("rejects %s", (pattern) => {
    expect(() => expandHostRanges(pattern)).toThrow(HostRangeError);
  });
});

describe("splitHostPort", () => {
  test.each(addresses)("%s", (entry, pattern, port) => {
    expect(splitHostPort(entry)).toEqual({ pattern, port });
  });
});
