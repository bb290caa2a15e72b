#!/usr/bin/env node
// compliance-gate.mjs — the last step of a sharded audit: judge the MERGED fleet-report/v1 JSON.
//
//   node deploy/compliance-gate.mjs reports/merged.json
//
// `fleet report merge` exits 0 whenever it could merge: it does not judge compliance. This does:
//   exit 0  compliant: no control failed or errored, no host unreachable, the run was not interrupted
//   exit 2  not compliant (the counts are printed)
//   exit 4  the file cannot be read or is not a fleet-report/v1 report
// It reads only the summary (schema fleet-report/v1, /work/shared/CONTRACTS.md "Report JSON"), so
// it needs nothing but Node: no build of fleet, no package.
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (file === undefined || process.argv.length > 3) {
  console.error("usage: node compliance-gate.mjs MERGED.json");
  process.exit(4);
}

/** @type {unknown} */
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (error) {
  console.error(`compliance-gate: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(4);
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
/** @param {unknown} value @returns {value is number} */
const isCount = (value) => typeof value === "number" && Number.isInteger(value) && value >= 0;

if (!isObject(report) || report.schema !== "fleet-report/v1") {
  console.error(`compliance-gate: ${file} is not a fleet-report/v1 JSON report`);
  process.exit(4);
}
const summary = report.summary;
const controls = isObject(summary) ? summary.controls : undefined;
if (!isObject(summary) || !isObject(controls) || !isCount(summary.hosts) || !isCount(summary.unreachable) || !isCount(controls.fail) || !isCount(controls.error)) {
  console.error(`compliance-gate: ${file} has no summary with hosts, unreachable, controls.fail and controls.error counts`);
  process.exit(4);
}

const problems = [];
if (controls.fail > 0) problems.push(`${controls.fail} control result(s) failed`);
if (controls.error > 0) problems.push(`${controls.error} control result(s) could not be judged (error)`);
if (summary.unreachable > 0) problems.push(`${summary.unreachable} host(s) unreachable`);
if (report.interrupted === true) problems.push("the run was interrupted: results are missing");

const score = typeof summary.score === "number" ? `, score ${summary.score}` : "";
if (problems.length > 0) {
  console.error(`compliance-gate: NOT compliant (${summary.hosts} host(s)${score}): ${problems.join("; ")}`);
  process.exit(2);
}
if (summary.hosts === 0) console.error("compliance-gate: warning: the merged report has no host at all (an empty inventory or selection?)");
console.log(`compliance-gate: compliant (${summary.hosts} host(s), ${controls.pass ?? 0} passed, ${controls.waived ?? 0} waived, ${controls.not_applicable ?? 0} not applicable${score})`);
