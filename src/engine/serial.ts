import type { Play } from "../playbook/types.js";

/** Rolling batches as Ansible's `serial`: a count or a percentage of the play's hosts (at least 1). */
export function serialBatches<T>(hosts: readonly T[], serial: Play["serial"]): T[][] {
  if (serial === undefined || hosts.length === 0) return [hosts.slice()];
  const size = "count" in serial ? serial.count : Math.floor((hosts.length * serial.percent) / 100);
  const step = Math.max(1, size);
  const batches: T[][] = [];
  for (let start = 0; start < hosts.length; start += step) batches.push(hosts.slice(start, start + step));
  return batches;
}
