import { describe, expect, test } from "vitest";
import { expandHostRanges, HostRangeError, MAX_HOSTS_PER_ENTRY, parsesAsAddress, splitHostPort } from "../../../src/inventory/host-pattern.js";
import { splitPattern } from "../../../src/inventory/select.js";

// Expected names from Ansible 2.14's expand_hostname_range; the ends are included.
const ranges: Array<[pattern: string, names: string[]]> = [
  ["n[0:10]", ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10"]],
  ["n[01:10]", ["n01", "n02", "n03", "n04", "n05", "n06", "n07", "n08", "n09", "n10"]],
  ["n[00:10]", ["n00", "n01", "n02", "n03", "n04", "n05", "n06", "n07", "n08", "n09", "n10"]],
  ["n[099:101]", ["n099", "n100", "n101"]],
  ["n[98:101]", ["n98", "n99", "n100", "n101"]],
  ["n[0:10:2]", ["n0", "n2", "n4", "n6", "n8", "n10"]],
  ["n[0:10:02]", ["n0", "n2", "n4", "n6", "n8", "n10"]],
  ["n[0:10:10]", ["n0", "n10"]],
  ["n[0:10:11]", ["n0"]],
  ["n[0:0]", ["n0"]],
  ["n[5:5]", ["n5"]],
  ["n[8:9]", ["n8", "n9"]],
  ["n[0:9]x", ["n0x", "n1x", "n2x", "n3x", "n4x", "n5x", "n6x", "n7x", "n8x", "n9x"]],
  ["n[a:c]", ["na", "nb", "nc"]],
  ["n[a:a]", ["na"]],
  ["n[a:c:2]", ["na", "nc"]],
  ["n[a:z:25]", ["na", "nz"]],
  ["n[A:C]", ["nA", "nB", "nC"]],
  ["n[a:c]x[1:2]", ["nax1", "nax2", "nbx1", "nbx2", "ncx1", "ncx2"]],
  ["n-[1:2]-[a:b].lab", ["n-1-a.lab", "n-1-b.lab", "n-2-a.lab", "n-2-b.lab"]],
  ["[1:2].[0:1]", ["1.0", "1.1", "2.0", "2.1"]],
  ["n[99999999999999999998:99999999999999999999]", ["n99999999999999999998", "n99999999999999999999"]],
  ["2001:db8::[a:c]", ["2001:db8::a", "2001:db8::b", "2001:db8::c"]],
];

// Ansible rejects these too ("equal-length begin and end formats", "begin <= end").
const badRanges = ["n[00:5]", "n[001:10]", "n[Y:b]", "n[10:0]", "n[0:10:0]", "n[0:10:-1]", "n[0:10:x]"];

describe("expandHostRanges", () => {
  test.each(ranges)("%s", (pattern, names) => {
    expect(expandHostRanges(pattern)).toEqual(names);
  });

  test.each(badRanges)("rejects %s", (pattern) => {
    expect(() => expandHostRanges(pattern)).toThrow(HostRangeError);
  });

  test.each([
    ["n[1:100000]", 100_000],
    ["n[0:199998:2]", 100_000],
    ["a[1:1000]b[1:100]", 100_000],
  ])("%s: exactly the most one entry may give (%d)", (pattern, count) => {
    expect(count).toBe(MAX_HOSTS_PER_ENTRY);
    const names = expandHostRanges(pattern);
    expect(names).toHaveLength(count);
    expect(new Set(names).size).toBe(count);
  });

  test.each([
    ["n[1:100001]", "100,001"],
    ["n[0:200000:2]", "100,001"],
    ["a[1:1000]b[1:101]", "101,000"],
    ["n[a:z]x[1:4000]", "104,000"],
  ])("%s: one more is refused, with the count", (pattern, shown) => {
    expect(() => expandHostRanges(pattern)).toThrow(`host range "${pattern}" expands to ${shown} hosts; fleet expands at most 100,000 from one entry`);
  });
});

// Every form Ansible's parse_address accepts, one per alternative of its IPv6 expression.
const ipv6: string[] = [
  "2001:db8:0:0:0:0:0:1",
  "1:2:3:4:5:6:7:8",
  "FE80:0:0:0:0:0:0:ABCD",
  "fe80::",
  "1:2:3:4:5:6::",
  "1::8",
  "1::3:4:5:6:7:8",
  "1:2::8",
  "1:2:3::8",
  "1:2:3:4::8",
  "1:2:3:4:5::8",
  "1:2:3:4:5:6::8",
  "::1",
  "::2:3:4:5:6:7",
  "::",
  "0:0:0:0:0:0:10.0.0.1",
  "::ffff:10.0.0.1",
  "::10.0.0.1",
  "0:0:0:0:0:ffff:10.0.0.1",
  "2001:db8::[a:f]",
  "2001:db8:0:0:0:0:0:[1:3]",
];

// Not addresses (Ansible refuses them too): too few groups, a group too long, not hexadecimal.
const notIpv6 = ["1:2:3:4:5:6:7", "12345::1", "g::1", "1:2:3:4:5:6:7::"];

describe("IPv6 addresses, full and with ::", () => {
  test.each(ipv6)("%s is one pattern term, not split at its colons", (address) => {
    expect(parsesAsAddress(address)).toBe(true);
    expect(splitPattern(address)).toEqual([address]);
  });

  test.each(ipv6)("[%s]:2222 is the address and the port", (address) => {
    expect(splitHostPort(`[${address}]:2222`)).toEqual({ pattern: address, port: 2222 });
    expect(parsesAsAddress(`[${address}]:2222`)).toBe(true);
  });

  test.each(ipv6)("%s without brackets has no port", (address) => {
    expect(splitHostPort(address)).toEqual({ pattern: address, port: undefined });
  });

  test.each(notIpv6)("%s is not an address: split at its colons, and [%s]:22 is left whole", (text) => {
    expect(parsesAsAddress(text)).toBe(false);
    expect(splitPattern(text)).toEqual(text.split(":").filter((term) => term !== ""));
    expect(splitHostPort(`[${text}]:22`)).toEqual({ pattern: `[${text}]:22`, port: undefined });
  });
});
