/**
 * Admin tools (sysctl, auditctl, gpasswd, the testbed's snap stand-in) live in sbin directories,
 * which a non-root login shell on Debian does not have on its PATH (sudo's secure_path does).
 * Probes and scripts that call them start with this, so they also work without become.
 */
export const SBIN_PATH = 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"';
