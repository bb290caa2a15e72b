import { describe, expect, it } from "vitest";
import { assertModule } from "../../../src/modules/assert.js";
import { evaluateCondition, scopeOf, type Expression } from "../../../src/playbook/expression/index.js";
import { planModule } from "../../support/plan-module.js";

const scope = (vars: Record<string, unknown>) => ({ condition: (expression: Expression) => evaluateCondition(expression, scopeOf(vars)) });

describe("assert", () => {
  it("passes when every condition holds and fails with fail_msg otherwise", () => {
    expect(planModule(assertModule, { that: ["x == 1"] }, {}, scope({ x: 1 })).plan.kind).toBe("ok");
    expect(planModule(assertModule, { that: ["x == 1"], fail_msg: "x is off" }, {}, scope({ x: 2 })).plan).toMatchObject({ kind: "fail", message: "x is off", expected: "x == 1" });
  });

  it("is an error, not a finding, when what it requires to judge does not hold", () => {
    const args = { requires: "daemon.up", requires_msg: "the daemon is not running", that: ["daemon.version == 5"] };
    expect(planModule(assertModule, args, {}, scope({ daemon: { up: false, version: null } })).plan).toEqual({ kind: "error", message: "the daemon is not running" });
    expect(planModule(assertModule, args, {}, scope({ daemon: { up: true, version: 5 } })).plan.kind).toBe("ok");
    expect(planModule(assertModule, args, {}, scope({ daemon: { up: true, version: 4 } })).plan.kind).toBe("fail");
  });

  it("names the unmet requirement when no requires_msg is given", () => {
    expect(planModule(assertModule, { requires: ["a", "b"], that: "true" }, {}, scope({ a: true, b: false })).plan).toEqual({ kind: "error", message: "cannot judge: b does not hold" });
  });
});
