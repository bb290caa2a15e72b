import type { ControlStatus } from "../engine/results.js";
import type { ReportModel, StatusCounts } from "./model.js";
import { CONTROL_STATUSES } from "./model.js";
import type { ReportControl, ReportHost } from "./types.js";

/**
 * The data the HTML report's script reads: the report model, compacted so that 1,000 hosts × 40
 * controls stays small. Per host, `cells` has one status letter per control of the catalogue (in
 * catalogue order; "-" where the host has no result for it) and `details` the texts of each of
 * those cells as indexes into `strings` (-1 for none), since the same message is found on many
 * hosts. The tasks of the report are left out: the page shows controls.
 */
export interface HtmlReportData {
  format: "fleet-report-html/v1";
  statuses: StatusInfo[];
  strings: string[];
  controls: HtmlControl[];
  hosts: HtmlHost[];
}

export interface StatusInfo {
  status: ControlStatus;
  /** The letter of the status in `HtmlHost.cells`. */
  code: string;
  label: string;
  /** Shown in each cell with the colour, so colour is never the only signal. */
  symbol: string;
}

export type HtmlControl = ReportControl & { counts: StatusCounts };

export interface HtmlHost extends Pick<ReportHost, "name" | "cluster" | "groups" | "status" | "error" | "execs" | "durationMs"> {
  score: number;
  counts: StatusCounts;
  cells: string;
  /** Per control: [expected, actual, message] or with the waiver [..., justification, expires]; 0 when there is no result. */
  details: Array<number[] | 0>;
}

/** The letter used for a control without a result on a host. */
export const MISSING_CODE = "-";

export const STATUS_INFO: Record<ControlStatus, StatusInfo> = {
  pass: { status: "pass", code: "p", label: "pass", symbol: "✓" },
  fail: { status: "fail", code: "f", label: "fail", symbol: "✗" },
  error: { status: "error", code: "e", label: "error", symbol: "!" },
  waived: { status: "waived", code: "w", label: "waived", symbol: "W" },
  not_applicable: { status: "not_applicable", code: "n", label: "not applicable", symbol: "–" },
};

export function htmlReportData(model: ReportModel): HtmlReportData {
  const strings: string[] = [];
  const indexes = new Map<string, number>();
  const intern = (text: string | null | undefined): number => {
    if (text === null || text === undefined || text === "") return -1;
    let index = indexes.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      indexes.set(text, index);
    }
    return index;
  };

  const controls: HtmlControl[] = model.controls.map(({ failing: _failing, ...control }) => control);
  const hosts: HtmlHost[] = model.hosts.map(({ host, score, counts }) => {
    let cells = "";
    const details: Array<number[] | 0> = [];
    for (const control of model.controls) {
      const result = model.cell(host.name, control.id);
      if (result === undefined) {
        cells += MISSING_CODE;
        details.push(0);
        continue;
      }
      cells += STATUS_INFO[result.status].code;
      const texts = [intern(result.expected), intern(result.actual), intern(result.message)];
      if (result.waiver) texts.push(intern(result.waiver.justification), intern(result.waiver.expires));
      details.push(texts);
    }
    return { name: host.name, cluster: host.cluster, groups: host.groups, status: host.status, error: host.error, execs: host.execs, durationMs: host.durationMs, score, counts, cells, details };
  });

  return { format: "fleet-report-html/v1", statuses: CONTROL_STATUSES.map((status) => STATUS_INFO[status]), strings, controls, hosts };
}

/**
 * JSON that is safe as the text of a `<script type="application/json">` element: no `<` (so no
 * `</script>` and no `<!--`), `>` or `&` outside escapes, and U+2028/U+2029 escaped too. Every one
 * of them can only occur inside a JSON string, where `\uXXXX` means the same character.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
