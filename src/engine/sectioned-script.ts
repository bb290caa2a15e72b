import { randomBytes } from "node:crypto";

/**
 * Many pieces of shell work in one exec: each section runs in its own subshell between markers
 * printed on stdout and stderr, so one round trip carries the probes (or changes) of every task of
 * a host, and each section's output and exit status come back apart.
 */
export interface Section {
  body: string;
  /** Stop the script after this section when it fails (apply scripts); probes never stop. */
  stopOnFailure: boolean;
}

export type SectionOutcome = { ran: true; stdout: string; stderr: string; exitCode: number } | { ran: false };

export interface SectionedScript {
  script: string;
  marker: string;
}

export function buildSectionedScript(sections: readonly Section[], nonce: string = randomBytes(6).toString("hex")): SectionedScript {
  const marker = `@@fleet-${nonce}`;
  // the script itself arrives on stdin (sh -s): each section gets /dev/null instead
  const parts: string[] = [];
  sections.forEach((section, index) => {
    parts.push(
      `printf '%s\\n' '${marker} ${index}'; printf '%s\\n' '${marker} ${index}' >&2`,
      `(\n${section.body}\n) </dev/null`,
      `fleet_rc=$?`,
      `printf '\\n%s %s\\n' '${marker} ${index} end' "$fleet_rc"; printf '\\n%s\\n' '${marker} ${index} end' >&2`,
    );
    if (section.stopOnFailure) parts.push(`[ "$fleet_rc" -eq 0 ] || exit 0`);
  });
  return { script: `${parts.join("\n")}\n`, marker };
}

/**
 * Splits what the script printed back into sections. A section that never began (an earlier
 * one stopped the script, or the connection broke) did not run; one that began but has no end
 * marker was cut short and reads as failed with exit status -1.
 */
export function splitSections(built: SectionedScript, count: number, stdout: string, stderr: string): SectionOutcome[] {
  const out = sliceStream(stdout, built.marker, count, true);
  const err = sliceStream(stderr, built.marker, count, false);
  return out.map((slice, index) => {
    if (slice === undefined) return { ran: false };
    return { ran: true, stdout: slice.text, stderr: err[index]?.text ?? "", exitCode: slice.exitCode };
  });
}

interface Slice {
  text: string;
  exitCode: number;
}

function sliceStream(stream: string, marker: string, count: number, withStatus: boolean): Array<Slice | undefined> {
  const slices: Array<Slice | undefined> = [];
  for (let index = 0; index < count; index++) {
    const begin = `${marker} ${index}\n`;
    const beginAt = stream.startsWith(begin) ? 0 : indexAfterNewline(stream, `\n${begin}`);
    if (beginAt < 0) {
      slices.push(undefined);
      continue;
    }
    const from = beginAt + begin.length;
    const endTag = `\n${marker} ${index} end`;
    const endAt = stream.indexOf(endTag, from);
    if (endAt < 0) {
      slices.push({ text: stream.slice(from), exitCode: -1 });
      continue;
    }
    const lineEnd = stream.indexOf("\n", endAt + endTag.length);
    const status = stream.slice(endAt + endTag.length, lineEnd < 0 ? undefined : lineEnd).trim();
    const exitCode = withStatus ? (/^\d+$/.test(status) ? Number(status) : -1) : 0;
    slices.push({ text: stream.slice(from, Math.max(from, endAt)), exitCode });
  }
  return slices;
}

/** Position of `needle` without its leading newline, or -1. */
function indexAfterNewline(stream: string, needle: string): number {
  const at = stream.indexOf(needle);
  return at < 0 ? -1 : at + 1;
}
