/**
 * Writes a large inventory for the benchmark (default bench/.work/inventory, git-ignored):
 *   hosts.yml         100 site groups × a 100-host range each = 10,000 hosts, inline vars
 *   roles             (INI, no extension) 95 role groups picking hosts with stepped ranges
 *                     across sites, 5 tier groups with :children and :vars; 2 LXD clusters
 *   group_vars/       one file per group (200) plus all.yml
 *   host_vars/        100 host files
 * Run alone: node --import tsx bench/inventory/generate.ts [DIRECTORY]
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const defaultDirectory = resolve(dirname(fileURLToPath(import.meta.url)), "..", ".work", "inventory");

const sites = 100;
const hostsPerSite = 100;
const roles = 95;
const tiers = 5;

const pad = (value: number, width = 3): string => String(value).padStart(width, "0");
const siteName = (site: number): string => `site_${pad(site)}`;
const siteHosts = (site: number): string => `s${pad(site)}n`;

export interface GeneratedInventory {
  directory: string;
  hosts: number;
  groups: number;
}

export function generateInventory(directory: string = defaultDirectory): GeneratedInventory {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(join(directory, "group_vars"), { recursive: true });
  mkdirSync(join(directory, "host_vars"), { recursive: true });

  const yaml: string[] = ["all:", "  vars:", "    ansible_user: fleet", "    ntp_server: ntp.example.com", "  children:"];
  for (let site = 1; site <= sites; site++) {
    yaml.push(
      `    ${siteName(site)}:`,
      "      vars:",
      `        site_id: ${site}`,
      `        datacenter: dc${site % 7}`,
      "      hosts:",
      `        ${siteHosts(site)}[001:${pad(hostsPerSite)}].example.com:`,
      `          rack: r${site % 13}`,
    );
  }
  writeFileSync(join(directory, "hosts.yml"), `${yaml.join("\n")}\n`);

  const ini: string[] = [];
  for (let role = 1; role <= roles; role++) {
    const first = ((role - 1) % sites) + 1;
    const second = (role % sites) + 1;
    ini.push(`[role_${pad(role, 2)}]`, `${siteHosts(first)}[001:100:5].example.com role_index=${role}`, `${siteHosts(second)}[002:100:5].example.com`, "");
  }
  for (let tier = 1; tier <= tiers; tier++) {
    ini.push(`[tier_${tier}:children]`);
    for (let role = tier; role <= roles; role += tiers) ini.push(`role_${pad(role, 2)}`);
    ini.push("", `[tier_${tier}:vars]`, `tier=${tier}`, `ansible_group_priority=${tier}`, "");
  }
  ini.push("[cluster_a:children]", "role_01", "", "[cluster_a:vars]", "lxd_cluster=cluster-a", "");
  ini.push("[cluster_b:children]", "role_50", "", "[cluster_b:vars]", "lxd_cluster=cluster-b", "");
  writeFileSync(join(directory, "roles"), ini.join("\n"));

  const groupNames = [
    ...Array.from({ length: sites }, (_, index) => siteName(index + 1)),
    ...Array.from({ length: roles }, (_, index) => `role_${pad(index + 1, 2)}`),
    ...Array.from({ length: tiers }, (_, index) => `tier_${index + 1}`),
  ];
  writeFileSync(join(directory, "group_vars", "all.yml"), "monitoring: true\nsyslog_server: log.example.com\n");
  for (const [index, group] of groupNames.entries()) {
    writeFileSync(
      join(directory, "group_vars", `${group}.yml`),
      `group_file: ${group}\nweight: ${index}\nsettings:\n  retries: ${index % 5}\n  tags: [${group}, bench]\n`,
    );
  }
  for (let site = 1; site <= sites; site++) {
    writeFileSync(join(directory, "host_vars", `${siteHosts(site)}001.example.com.yml`), `first_in_site: true\nansible_port: ${2200 + site}\n`);
  }
  return { directory, hosts: sites * hostsPerSite, groups: groupNames.length + 2 };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const generated = generateInventory(process.argv[2] === undefined ? defaultDirectory : resolve(process.argv[2]));
  process.stdout.write(`${generated.hosts} hosts, ${generated.groups} groups in ${generated.directory}\n`);
}
