/**
 * Runs `command` and treats a failure whose output contains `meaning` as success: the state the
 * command brings about already holds, because something else (another host sharing the resource,
 * a concurrent run) got there between reading the facts and applying.
 */
export function succeedingWhenAlready(command: string, meaning: string, onFailure: string): string {
  const quotedMeaning = meaning.replace(/[\\"$`]/g, "\\$&");
  return `fleet_out=$(${command} 2>&1) || case "$fleet_out" in *"${quotedMeaning}"*) ;; *) printf '%s\\n' "$fleet_out" >&2; ${onFailure}; exit 1 ;; esac`;
}
