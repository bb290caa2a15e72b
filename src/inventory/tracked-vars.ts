/**
 * Variables whose origin (file:line:column) is kept so that a bad value can be pointed at:
 * connection settings and the LXD cluster name. Other variables keep no origin, which keeps
 * large inventories light.
 */
export function isTrackedVar(name: string): boolean {
  return name.startsWith("ansible_") || name.startsWith("fleet_") || name === "lxd_cluster";
}
