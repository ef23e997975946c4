import { analyzePlan, parsePlanText, PlanFormatError } from "../../guard";
import { fixtureText, loadFixture } from "./fixtures";

function rejection(plan: unknown): string {
  try {
    analyzePlan(plan, { allow: [] });
  } catch (error) {
    expect(error).toBeInstanceOf(PlanFormatError);
    return (error as Error).message;
  }
  throw new Error("expected the plan to be rejected");
}

describe("malformed, truncated or unsupported plan JSON", () => {
  it("rejects a truncated file without quoting its content", () => {
    const text = fixtureText("truncated.json");
    expect(() => parsePlanText(text, "plan.json")).toThrow(PlanFormatError);
    expect(() => parsePlanText(text, "plan.json")).toThrow(/^plan\.json is not valid JSON/);
  });

  it("never echoes the text around a syntax error, which may be a secret", () => {
    const secret = "hunter2-do-not-echo";
    expect(() => parsePlanText(`{"before": {"password": "${secret}"}, oops}`, "plan.json")).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  it("rejects a plan whose resource_changes are missing although resources are planned", () => {
    expect(rejection(loadFixture("missing-resource-changes.json"))).toMatch(/resource_changes is missing/);
  });

  it("rejects a plan whose resource_changes are missing although the prior state has resources", () => {
    const plan = loadFixture("delete.json");
    delete plan.resource_changes;
    expect(rejection(plan)).toMatch(/looks truncated/);
  });

  it("accepts a plan with no resources at all", () => {
    const plan = loadFixture("no-op.json");
    delete plan.resource_changes;
    delete plan.prior_state;
    plan.planned_values = { root_module: {} };
    expect(analyzePlan(plan, { allow: [] }).verdict).toBe("pass");
  });

  it("rejects an unknown format_version major", () => {
    expect(rejection(loadFixture("format-version-2.json"))).toMatch(/format_version is 2\.0: .*0\.1 to 1\.x/);
  });

  it("rejects a document without format_version, such as arbitrary JSON", () => {
    expect(rejection({ resource_changes: [] })).toMatch(/format_version is missing/);
    expect(rejection([])).toMatch(/must be an object/);
  });

  it("rejects state output, which has no planned_values", () => {
    expect(rejection({ format_version: "1.0", values: { root_module: {} } })).toMatch(/planned_values/);
  });

  it("names the path of a value with the wrong type", () => {
    expect(rejection(loadFixture("wrong-types.json"))).toBe(
      "plan JSON: resource_changes[0].change.actions must be a non-empty list of strings",
    );
    const plan = loadFixture("delete.json");
    (plan.resource_changes as Record<string, unknown>[])[0].address = 42;
    expect(rejection(plan)).toBe("plan JSON: resource_changes[0].address must be a string");
  });

  it("rejects replace_paths steps that are neither names nor indexes", () => {
    const plan = loadFixture("replace-delete-first.json");
    const change = (plan.resource_changes as Record<string, Record<string, unknown>>[])[0].change;
    change.replace_paths = [["name", { nested: true }]];
    expect(rejection(plan)).toMatch(/replace_paths\[0\]\[1\] must be a string or a number/);
  });

  it("rejects a plan Terraform marked errored", () => {
    const plan = loadFixture("create.json");
    plan.errored = true;
    expect(rejection(plan)).toMatch(/marked errored/);
  });
});
