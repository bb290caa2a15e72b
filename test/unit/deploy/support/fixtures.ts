/**
 * What the real-fleet runs of the recipes audit in unit tests: six hosts reached with
 * ansible_connection=local (no SSH), two of them members of one LXD cluster, one (h3) failing the
 * one control of a playbook that stands in for playbooks/baseline.yml.
 */
export const LOCAL_INVENTORY = `all:
  vars: { ansible_connection: local }
  children:
    standalone:
      hosts:
        h1: {}
        h2: {}
        h3: { broken: true }
        h4: {}
    cluster1:
      vars: { lxd_cluster: cluster1 }
      hosts:
        c1: {}
        c2: {}
`;

export const ONE_CONTROL_PLAYBOOK = `- name: stands in for the baseline in unit tests
  hosts: all
  tasks:
    - name: the host is not broken
      control: { id: TEST-01, title: not broken, severity: low }
      assert: { that: ["not (broken | default(false))"] }
`;
