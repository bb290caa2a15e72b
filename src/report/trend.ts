/**
 * Compliance over time: what a series of fleet-report/v1 documents (a `--history` directory) says
 * about each control and each host: when it started failing, when it was fixed, how long fixes
 * took, the current streak, the score and pass share per report, the regressions and fixes between
 * reports. Pure: reports in, plain data out (the `fleet-trend/v1` JSON). Definitions: docs/history.md.
 */
import type { ControlStatus } from "../engine/results.js";
import { UsageError } from "../errors.js";
import { closestNames } from "../inventory/closest.js";
import type { Severity } from "../playbook/types.js";
import { score } from "./build.js";
import { emptyCounts, type StatusCounts } from "./model.js";
import type { FleetReport, ReportControl, ReportControlResult, ReportHost } from "./types.js";

/**
 * The state of a result (or of a control or host, over its results) in one report:
 * failing (fail or error), passing (pass), or one of the two neutral states (waived,
 * not_applicable), which neither start nor end a failure.
 */
export type TrendState = "failing" | "passing" | "waived" | "not_applicable";

export interface TrendOptions {
  /** A name per report (its file), in the order given; default `report N`. */
  sources?: readonly string[];
  /** Only this control (an exact id). */
  control?: string;
  /** Only this host (an exact name). */
  host?: string;
}

export interface DurationStats {
  /** Closed failures (fail → pass) measured. */
  count: number;
  meanMs: number | null;
  medianMs: number | null;
  maxMs: number | null;
}

export interface TrendStreak {
  state: TrendState;
  /** Consecutive reports that judged it in this state, up to its last judged report. */
  reports: number;
  /** startedAt of the first report of the streak. */
  since: string;
}

/** One report of the history: its figures over the selected results. */
export interface TrendPoint {
  index: number;
  source: string;
  mode: FleetReport["mode"];
  playbook: string;
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  /** Whether the report takes part in the transitions (false for an interrupted run: a gap). */
  counted: boolean;
  hosts: number;
  unreachable: number;
  /** Severity-weighted score of the selected results, as docs/reports.md defines it. */
  score: number;
  /** pass / (pass + fail + error) in percent, one decimal; null when nothing was judged. */
  passShare: number | null;
  counts: StatusCounts;
  /** Results pass → failing (fail or error) since the report before that judged them; null on a gap. */
  regressions: number | null;
  /** Results failing → pass since the report before that judged them; null on a gap. */
  fixes: number | null;
  /** Results failing the first time they were judged (first report, new host, new control); null on a gap. */
  newFailures: number | null;
  hostsAdded: string[];
  hostsRemoved: string[];
}

/** One failure of a result: from the report that first saw it failing to the report that saw it pass. */
export interface TrendEpisode {
  startedAt: string;
  /** The report that saw it pass again; null while it is not fixed (failing, waived, n/a, or the host or control gone). */
  fixedAt: string | null;
  durationMs: number | null;
  /** It was failing the first time it was judged: it may have failed before the history starts. */
  sinceFirstSeen: boolean;
}

/** One result (host × control) over time. */
export interface TrendResult {
  host: string;
  control: string;
  /** Whether the host and the control are both in the latest report. */
  present: boolean;
  /** The status of the latest report that judged it. */
  status: ControlStatus | null;
  streak: TrendStreak | null;
  /** The start of the failure it is in, when its last judged state is failing. */
  failingSince: string | null;
  episodes: TrendEpisode[];
  regressions: number;
  fixes: number;
}

interface EntityTrend {
  present: boolean;
  /** The combined state of its results in the latest report that judged any of them. */
  state: TrendState | null;
  streak: TrendStreak | null;
  /** When it started failing (on any result), while it is failing. */
  failingSince: string | null;
  /** When it was last fixed (no result failing, at least one of them fixed), unless it is failing now or its failure is open. */
  fixedAt: string | null;
  regressions: number;
  fixes: number;
  newFailures: number;
  /** Time to remediate over its results' closed failures. */
  remediation: DurationStats;
}

export interface TrendControl extends EntityTrend {
  id: string;
  title: string;
  severity: Severity;
  /** Hosts of the latest report whose last judged result of it is failing. */
  failingHosts: string[];
  /** pass share of this control per report (points order); null where it was not judged. */
  passShare: Array<number | null>;
}

export interface TrendHost extends EntityTrend {
  name: string;
  cluster: string | null;
  firstSeen: string;
  lastSeen: string;
  /** Controls of the latest report whose last judged result on this host is failing. */
  failingControls: string[];
  /** The host's score per report (points order); null where it is not in the report. */
  score: Array<number | null>;
}

export interface TrendModel {
  schema: "fleet-trend/v1";
  filter: { control: string | null; host: string | null };
  playbooks: string[];
  /** Reports left out (shard reports), with why. */
  skipped: Array<{ source: string; reason: string }>;
  warnings: string[];
  points: TrendPoint[];
  totals: {
    reports: number;
    counted: number;
    interrupted: number;
    regressions: number;
    fixes: number;
    newFailures: number;
    /** Failures not fixed (including those now waived, not applicable, or of a host or control gone). */
    open: number;
    /** Results of the latest report's hosts and controls whose last judged state is failing. */
    failingNow: number;
    remediation: DurationStats;
  };
  controls: TrendControl[];
  hosts: TrendHost[];
  results: TrendResult[];
}

const RANK: Record<TrendState, number> = { failing: 3, passing: 2, waived: 1, not_applicable: 0 };

export function stateOf(status: ControlStatus): TrendState {
  switch (status) {
    case "fail":
    case "error":
      return "failing";
    case "pass":
      return "passing";
    case "waived":
      return "waived";
    case "not_applicable":
      return "not_applicable";
  }
}

/** The state of a set of results: failing if any fails, else passing if any passes, else waived, else not applicable. */
function combined(a: TrendState | undefined, b: TrendState): TrendState {
  return a === undefined || RANK[b] > RANK[a] ? b : a;
}

interface Observation {
  point: number;
  state: TrendState;
}

interface Episode {
  start: number;
  end: number | null;
  /** false: it ended because its failing results left the reports (a host or control removed), not by a fix. */
  fixed: boolean;
  sinceFirstSeen: boolean;
}

interface Tracked {
  episodes: Episode[];
  transitions: Array<{ point: number; kind: "regression" | "fix" | "new" }>;
  streak: { state: TrendState; reports: number; since: number } | null;
  last: Observation | null;
}

/**
 * The state machine shared by results, controls and hosts, over the reports that judged them
 * (gaps skipped). A failure starts at a failing report after a passing one ("regression") or
 * when nothing decided came before ("new"); it ends at the next passing report ("fix"). Neutral
 * states (waived, not_applicable) leave the decided state as it was. `isFix` says whether a
 * passing report after a failing one is a fix (an aggregate stops failing also when its failing
 * results leave the reports: that ends the failure without fixing it).
 */
function track(observations: readonly Observation[], isFix: (point: number) => boolean = () => true): Tracked {
  const episodes: Episode[] = [];
  const transitions: Tracked["transitions"] = [];
  let decided: "failing" | "passing" | null = null;
  let streak: Tracked["streak"] = null;
  for (const observation of observations) {
    if (streak !== null && streak.state === observation.state) streak.reports += 1;
    else streak = { state: observation.state, reports: 1, since: observation.point };
    if (observation.state === "failing" && decided !== "failing") {
      transitions.push({ point: observation.point, kind: decided === "passing" ? "regression" : "new" });
      episodes.push({ start: observation.point, end: null, fixed: false, sinceFirstSeen: decided === null });
      decided = "failing";
    } else if (observation.state === "passing") {
      const open = episodes.at(-1);
      if (decided === "failing" && open !== undefined) {
        open.end = observation.point;
        open.fixed = isFix(observation.point);
        if (open.fixed) transitions.push({ point: observation.point, kind: "fix" });
      }
      decided = "passing";
    }
  }
  return { episodes, transitions, streak, last: observations.at(-1) ?? null };
}

export function durationStats(durations: readonly number[]): DurationStats {
  if (durations.length === 0) return { count: 0, meanMs: null, medianMs: null, maxMs: null };
  const sorted = [...durations].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  let sum = 0;
  let max = 0;
  for (const value of sorted) {
    sum += value;
    max = Math.max(max, value);
  }
  return { count: sorted.length, meanMs: Math.round(sum / sorted.length), medianMs: Math.round(median), maxMs: max };
}

function passShareOf(counts: StatusCounts): number | null {
  const judged = counts.pass + counts.fail + counts.error;
  return judged === 0 ? null : Math.round((counts.pass / judged) * 1000) / 10;
}

/** A host whose results say nothing about compliance in that report: it was not reached, or the run stopped before it finished. */
const notJudged = (host: ReportHost): boolean => host.status === "unreachable" || host.interrupted;

const key = (host: string, control: string): string => `${host}\u0000${control}`;

function byTime(a: { report: FleetReport; source: string; order: number }, b: { report: FleetReport; source: string; order: number }): number {
  const time = (Date.parse(a.report.startedAt) || 0) - (Date.parse(b.report.startedAt) || 0);
  return time !== 0 ? time : a.source < b.source ? -1 : a.source > b.source ? 1 : a.order - b.order;
}

/**
 * The trend of a series of reports. They are put in time order (by startedAt); shard reports
 * (`shard` set) are left out and listed in `skipped`. Throws a UsageError when `control` or
 * `host` names nothing in the reports.
 */
export function trendModel(reports: readonly FleetReport[], options: TrendOptions = {}): TrendModel {
  const skipped: TrendModel["skipped"] = [];
  const entries: Array<{ report: FleetReport; source: string; order: number }> = [];
  reports.forEach((report, order) => {
    const source = options.sources?.[order] ?? `report ${order + 1}`;
    if (report.shard !== undefined) skipped.push({ source, reason: `shard ${report.shard.index}/${report.shard.count} of a split run: merge the shards first (fleet report merge)` });
    else entries.push({ report, source, order });
  });
  entries.sort(byTime);
  checkFilter(entries.map((entry) => entry.report), options);

  const wantHost = (name: string): boolean => options.host === undefined || options.host === name;
  const wantControl = (id: string): boolean => options.control === undefined || options.control === id;
  const selectedResults = (host: ReportHost): ReportControlResult[] => host.controls.filter((result) => wantControl(result.id));

  // catalogue: the latest report listing a control gives its title and severity; order: latest report first
  const catalogue = new Map<string, ReportControl>();
  const hostInfo = new Map<string, { cluster: string | null; first: number; last: number }>();
  for (let index = entries.length - 1; index >= 0; index--) {
    const report = entries[index]?.report;
    if (report === undefined) continue;
    for (const control of report.controls) if (wantControl(control.id) && !catalogue.has(control.id)) catalogue.set(control.id, control);
    for (const host of report.hosts) {
      if (!wantHost(host.name)) continue;
      const info = hostInfo.get(host.name);
      if (info === undefined) hostInfo.set(host.name, { cluster: host.cluster, first: index, last: index });
      else info.first = index;
    }
  }
  const latest = entries.at(-1)?.report;
  const latestHosts = new Set(latest?.hosts.map((host) => host.name) ?? []);
  const latestControls = new Set(latest?.controls.map((control) => control.id) ?? []);

  // observations, walking the reports in time order; interrupted reports are gaps
  const cellObservations = new Map<string, { host: string; control: string; observations: Observation[]; status: ControlStatus | null }>();
  const controlObservations = new Map<string, Observation[]>();
  const hostObservations = new Map<string, Observation[]>();
  const points: TrendPoint[] = [];
  /** Per report: counts by control, score by host (of the selected results). */
  const controlCounts: Array<Map<string, StatusCounts>> = [];
  const hostScores: Array<Map<string, number>> = [];
  let previousHosts: Set<string> | undefined;
  entries.forEach(({ report, source }, index) => {
    const hosts = report.hosts.filter((host) => wantHost(host.name));
    const reportCatalogue = new Map(report.controls.map((control) => [control.id, control]));
    const results = hosts.flatMap(selectedResults);
    const counts = emptyCounts();
    for (const result of results) counts[result.status] += 1;
    const byControl = new Map<string, StatusCounts>(report.controls.filter((control) => wantControl(control.id)).map((control) => [control.id, emptyCounts()]));
    for (const result of results) {
      const controlCount = byControl.get(result.id);
      if (controlCount !== undefined) controlCount[result.status] += 1;
    }
    controlCounts.push(byControl);
    hostScores.push(new Map(hosts.map((host) => [host.name, score(selectedResults(host), reportCatalogue)])));
    const names = new Set(hosts.map((host) => host.name));
    points.push({
      index,
      source,
      mode: report.mode,
      playbook: report.playbook,
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      interrupted: report.interrupted,
      counted: !report.interrupted,
      hosts: hosts.length,
      unreachable: hosts.filter((host) => host.status === "unreachable").length,
      score: score(results, reportCatalogue),
      passShare: passShareOf(counts),
      counts,
      regressions: report.interrupted ? null : 0,
      fixes: report.interrupted ? null : 0,
      newFailures: report.interrupted ? null : 0,
      hostsAdded: previousHosts === undefined ? [] : hosts.filter((host) => !previousHosts?.has(host.name)).map((host) => host.name),
      hostsRemoved: previousHosts === undefined ? [] : [...previousHosts].filter((name) => !names.has(name)),
    });
    previousHosts = names;
    if (report.interrupted) return;
    const controlStates = new Map<string, TrendState>();
    for (const host of hosts) {
      if (notJudged(host)) continue;
      let hostState: TrendState | undefined;
      for (const result of selectedResults(host)) {
        const state = stateOf(result.status);
        const cellKey = key(host.name, result.id);
        let cell = cellObservations.get(cellKey);
        if (cell === undefined) cellObservations.set(cellKey, (cell = { host: host.name, control: result.id, observations: [], status: null }));
        cell.observations.push({ point: index, state });
        cell.status = result.status;
        hostState = combined(hostState, state);
        controlStates.set(result.id, combined(controlStates.get(result.id), state));
      }
      if (hostState !== undefined) push(hostObservations, host.name, { point: index, state: hostState });
    }
    for (const [id, state] of controlStates) push(controlObservations, id, { point: index, state });
  });

  const at = (point: number): string => points[point]?.startedAt ?? "";
  const elapsed = (from: number, to: number): number => Math.max(0, (Date.parse(at(to)) || 0) - (Date.parse(at(from)) || 0));

  // results
  const fixPoints = { byControl: new Map<string, Set<number>>(), byHost: new Map<string, Set<number>>() };
  const durations = { all: [] as number[], byControl: new Map<string, number[]>(), byHost: new Map<string, number[]>() };
  const counters = { byControl: new Map<string, Counter>(), byHost: new Map<string, Counter>() };
  const results: TrendResult[] = [];
  let failingNow = 0;
  let open = 0;
  for (const cell of cellObservations.values()) {
    const tracked = track(cell.observations);
    const counter = { regressions: 0, fixes: 0, newFailures: 0 };
    for (const transition of tracked.transitions) {
      const point = points[transition.point];
      if (transition.kind === "regression") counter.regressions += 1;
      else if (transition.kind === "fix") counter.fixes += 1;
      else counter.newFailures += 1;
      if (point !== undefined) {
        if (transition.kind === "regression") point.regressions = (point.regressions ?? 0) + 1;
        else if (transition.kind === "fix") point.fixes = (point.fixes ?? 0) + 1;
        else point.newFailures = (point.newFailures ?? 0) + 1;
      }
      if (transition.kind === "fix") {
        addTo(fixPoints.byControl, cell.control, transition.point);
        addTo(fixPoints.byHost, cell.host, transition.point);
      }
    }
    addCounter(counters.byControl, cell.control, counter);
    addCounter(counters.byHost, cell.host, counter);
    const episodes: TrendEpisode[] = tracked.episodes.map((episode) => {
      const durationMs = episode.end === null ? null : elapsed(episode.start, episode.end);
      if (durationMs !== null) {
        durations.all.push(durationMs);
        push(durations.byControl, cell.control, durationMs);
        push(durations.byHost, cell.host, durationMs);
      } else open += 1;
      return { startedAt: at(episode.start), fixedAt: episode.end === null ? null : at(episode.end), durationMs, sinceFirstSeen: episode.sinceFirstSeen };
    });
    const present = latestHosts.has(cell.host) && latestControls.has(cell.control);
    const failing = tracked.last?.state === "failing";
    if (present && failing) failingNow += 1;
    const current = tracked.episodes.at(-1);
    results.push({
      host: cell.host,
      control: cell.control,
      present,
      status: cell.status,
      streak: streakOf(tracked, at),
      failingSince: failing && current !== undefined ? at(current.start) : null,
      episodes,
      regressions: counter.regressions,
      fixes: counter.fixes,
    });
  }
  // order: as the latest report lists them, then those only earlier reports have, the most recently seen first
  const controlOrder = [...catalogue.keys()];
  const hostOrder = [...hostInfo.keys()];
  const controlIndex = new Map(controlOrder.map((id, index) => [id, index]));
  const hostIndex = new Map(hostOrder.map((name, index) => [name, index]));
  results.sort((a, b) => (controlIndex.get(a.control) ?? 0) - (controlIndex.get(b.control) ?? 0) || (hostIndex.get(a.host) ?? 0) - (hostIndex.get(b.host) ?? 0));

  const entity = (tracked: Tracked, counter: Counter | undefined, spent: readonly number[] | undefined, present: boolean): EntityTrend => {
    const last = tracked.episodes.at(-1);
    const failing = tracked.last?.state === "failing";
    return {
      present,
      state: tracked.last?.state ?? null,
      streak: streakOf(tracked, at),
      failingSince: failing && last !== undefined ? at(last.start) : null,
      fixedAt: !failing && last !== undefined && last.end !== null && last.fixed ? at(last.end) : null,
      regressions: counter?.regressions ?? 0,
      fixes: counter?.fixes ?? 0,
      newFailures: counter?.newFailures ?? 0,
      remediation: durationStats(spent ?? []),
    };
  };
  // the latest report's results whose last judged state is failing, by control and by host (in results order)
  const failingNowBy = { byControl: new Map<string, string[]>(), byHost: new Map<string, string[]>() };
  for (const result of results) {
    if (!result.present || result.streak?.state !== "failing") continue;
    push(failingNowBy.byControl, result.control, result.host);
    push(failingNowBy.byHost, result.host, result.control);
  }

  const controls: TrendControl[] = controlOrder.map((id) => {
    const control = catalogue.get(id);
    const fixes = fixPoints.byControl.get(id);
    const tracked = track(controlObservations.get(id) ?? [], (point) => fixes?.has(point) === true);
    return {
      id,
      title: control?.title ?? id,
      severity: control?.severity ?? "medium",
      ...entity(tracked, counters.byControl.get(id), durations.byControl.get(id), latestControls.has(id)),
      failingHosts: failingNowBy.byControl.get(id) ?? [],
      passShare: controlCounts.map((byControl) => {
        const counts = byControl.get(id);
        return counts === undefined ? null : passShareOf(counts);
      }),
    };
  });
  const hosts: TrendHost[] = hostOrder.map((name) => {
    const info = hostInfo.get(name);
    const fixes = fixPoints.byHost.get(name);
    const tracked = track(hostObservations.get(name) ?? [], (point) => fixes?.has(point) === true);
    return {
      name,
      cluster: info?.cluster ?? null,
      firstSeen: at(info?.first ?? 0),
      lastSeen: at(info?.last ?? 0),
      ...entity(tracked, counters.byHost.get(name), durations.byHost.get(name), latestHosts.has(name)),
      failingControls: failingNowBy.byHost.get(name) ?? [],
      score: hostScores.map((scores) => scores.get(name) ?? null),
    };
  });

  const counted = points.filter((point) => point.counted);
  const playbooks = [...new Set(entries.map((entry) => entry.report.playbook))];
  const warnings: string[] = [];
  for (const skip of skipped) warnings.push(`${skip.source}: left out: ${skip.reason}`);
  if (playbooks.length > 1) warnings.push(`the reports are of ${playbooks.length} playbooks (${playbooks.join(", ")}): their controls are compared by id`);
  return {
    schema: "fleet-trend/v1",
    filter: { control: options.control ?? null, host: options.host ?? null },
    playbooks,
    skipped,
    warnings,
    points,
    totals: {
      reports: points.length,
      counted: counted.length,
      interrupted: points.length - counted.length,
      regressions: sum(counted.map((point) => point.regressions ?? 0)),
      fixes: sum(counted.map((point) => point.fixes ?? 0)),
      newFailures: sum(counted.map((point) => point.newFailures ?? 0)),
      open,
      failingNow,
      remediation: durationStats(durations.all),
    },
    controls,
    hosts,
    results,
  };
}

interface Counter {
  regressions: number;
  fixes: number;
  newFailures: number;
}

function addCounter(map: Map<string, Counter>, name: string, counter: Counter): void {
  const total = map.get(name) ?? { regressions: 0, fixes: 0, newFailures: 0 };
  total.regressions += counter.regressions;
  total.fixes += counter.fixes;
  total.newFailures += counter.newFailures;
  map.set(name, total);
}

function push<T>(map: Map<string, T[]>, name: string, value: T): void {
  const list = map.get(name);
  if (list === undefined) map.set(name, [value]);
  else list.push(value);
}

function addTo(map: Map<string, Set<number>>, name: string, value: number): void {
  const set = map.get(name);
  if (set === undefined) map.set(name, new Set([value]));
  else set.add(value);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function streakOf(tracked: Tracked, at: (point: number) => string): TrendStreak | null {
  return tracked.streak === null ? null : { state: tracked.streak.state, reports: tracked.streak.reports, since: at(tracked.streak.since) };
}

function checkFilter(reports: readonly FleetReport[], options: TrendOptions): void {
  if (options.control !== undefined) {
    const ids = new Set(reports.flatMap((report) => report.controls.map((control) => control.id)));
    if (!ids.has(options.control)) throw unknown("TREND_UNKNOWN_CONTROL", "control", options.control, ids);
  }
  if (options.host !== undefined) {
    const names = new Set(reports.flatMap((report) => report.hosts.map((host) => host.name)));
    if (!names.has(options.host)) throw unknown("TREND_UNKNOWN_HOST", "host", options.host, names);
  }
}

function unknown(code: string, what: string, name: string, known: ReadonlySet<string>): UsageError {
  const closest = closestNames(name, known);
  return new UsageError(code, `no report of the history has the ${what} ${JSON.stringify(name)}`, closest.length > 0 ? `did you mean ${closest.join(", ")}?` : `give the exact ${what === "host" ? "host name" : "control id"} as the reports list it`);
}
