import type { ControlStatus } from "../engine/results.js";
import type { DiffSide, ReportDiff } from "./diff.js";
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
  /** Only when the page shows the drift since an earlier report (absent otherwise, so that the blob is as it was). */
  drift?: HtmlDrift;
}

/**
 * The drift since an earlier report (src/report/diff.ts), as the page shows it: the counts of
 * every category, and the changes of the two it lists (newly failing, fixed), from which it also
 * marks the cells of the matrix.
 */
export interface HtmlDrift {
  old: DiffSide;
  new: DiffSide;
  counts: ReportDiff["counts"];
  newlyFailing: HtmlDriftChange[];
  fixed: HtmlDriftChange[];
}

/**
 * One change: [host, control, before, after]. Host and control are indexes into `hosts` and
 * `controls`, or the name and id themselves when this report has no such host or control (a diff
 * made against another report): such a change is listed but opens nothing. The statuses are
 * their letters (`STATUS_INFO[...].code`), MISSING_CODE for none before.
 */
export type HtmlDriftChange = [number | string, number | string, string, string];

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

/** The drift data for the page of `model` (the newer of the two reports compared). */
export function htmlDriftData(model: ReportModel, diff: ReportDiff): HtmlDrift {
  const hostIndexes = new Map<string, number>();
  model.hosts.forEach(({ host }, index) => {
    if (!hostIndexes.has(host.name)) hostIndexes.set(host.name, index);
  });
  const controlIndexes = new Map<string, number>();
  model.controls.forEach((control, index) => {
    if (!controlIndexes.has(control.id)) controlIndexes.set(control.id, index);
  });
  const change = (entry: ReportDiff["newlyFailing"][number]): HtmlDriftChange => [
    hostIndexes.get(entry.host) ?? entry.host,
    controlIndexes.get(entry.control) ?? entry.control,
    entry.before === null ? MISSING_CODE : STATUS_INFO[entry.before].code,
    STATUS_INFO[entry.after].code,
  ];
  return { old: diff.old, new: diff.new, counts: diff.counts, newlyFailing: diff.newlyFailing.map(change), fixed: diff.fixed.map(change) };
}

/**
 * JSON that is safe as the text of a `<script type="application/json">` element: no `<` (so no
 * `</script>` and no `<!--`), `>` or `&` outside escapes, and U+2028/U+2029 escaped too. Every one
 * of them can only occur inside a JSON string, where `\uXXXX` means the same character.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
