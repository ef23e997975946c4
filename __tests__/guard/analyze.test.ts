import { analyzePlan, parseAllowList, PlanFormatError, type GuardReport } from "../../guard";
import { firstChange, loadFixture } from "./fixtures";

function analyzeFixture(name: string, allow: string[] = []): GuardReport {
  return analyzePlan(loadFixture(name), { allow, env: "dev" });
}

const NO_CHANGES = { add: 0, change: 0, replace: 0, destroy: 0, import: 0, forget: 0, read: 0 };

describe("analyzePlan: one fixture per action list", () => {
  it('["no-op"] passes with nothing to report', () => {
    const report = analyzeFixture("no-op.json");
    expect(report.verdict).toBe("pass");
    expect(report.counts).toEqual(NO_CHANGES);
    expect(report.destructive).toEqual([]);
    expect(report.review).toEqual([]);
  });

  it('["create"] counts an add and passes', () => {
    const report = analyzeFixture("create.json");
    expect(report.counts).toEqual({ ...NO_CHANGES, add: 1 });
    expect(report.verdict).toBe("pass");
  });

  it('["read"] of a data source counts a read and passes', () => {
    const report = analyzeFixture("read.json");
    expect(report.counts).toEqual({ ...NO_CHANGES, read: 1 });
    expect(report.verdict).toBe("pass");
    expect(report.review).toEqual([]);
  });

  it('["update"] of a stateful type is listed for review without blocking; other updates are not', () => {
    const report = analyzeFixture("update.json");
    expect(report.counts).toEqual({ ...NO_CHANGES, change: 2 });
    expect(report.verdict).toBe("pass");
    expect(report.review.map((finding) => finding.address)).toEqual(["aws_kinesis_stream.events"]);
    expect(report.review[0]).toMatchObject({ kind: "update", holdsData: true });
  });

  it('["delete"] blocks and carries the action reason', () => {
    const report = analyzeFixture("delete.json");
    expect(report.counts).toEqual({ ...NO_CHANGES, destroy: 1 });
    expect(report.verdict).toBe("blocked");
    expect(report.destructive).toEqual([
      expect.objectContaining({
        address: "aws_s3_bucket.lake",
        kind: "delete",
        action: "delete",
        holdsData: true,
        reason: "delete_because_no_resource_config",
        allowed: false,
      }),
    ]);
  });

  it('["delete","create"] is a replace with its replace paths and reason', () => {
    const report = analyzeFixture("replace-delete-first.json");
    expect(report.counts).toEqual({ ...NO_CHANGES, replace: 1 });
    expect(report.verdict).toBe("blocked");
    expect(report.destructive[0]).toMatchObject({
      address: "aws_kinesis_stream.events",
      kind: "replace",
      action: "replace (destroy, then create)",
      reason: "replace_because_cannot_update",
      replacePaths: ["name"],
      holdsData: true,
    });
  });

  it('["create","delete"] is a replace too, and blocks even for a type that holds no data', () => {
    const report = analyzeFixture("replace-create-first.json");
    expect(report.verdict).toBe("blocked");
    expect(report.destructive[0]).toMatchObject({
      address: "aws_cognito_identity_pool.browser",
      action: "replace (create, then destroy)",
      replacePaths: ["identity_pool_name"],
      holdsData: false,
    });
  });

  it('["create","forget"] is a replace whose old object is forgotten', () => {
    const report = analyzeFixture("replace-create-forget.json");
    expect(report.counts).toEqual({ ...NO_CHANGES, replace: 1 });
    expect(report.destructive[0]).toMatchObject({
      action: "replace (create, old one forgotten)",
      allowed: false,
    });
  });

  it('["forget"] passes but is listed for review', () => {
    const report = analyzeFixture("forget.json");
    expect(report.counts).toEqual({ ...NO_CHANGES, forget: 1 });
    expect(report.verdict).toBe("pass");
    expect(report.review).toEqual([
      expect.objectContaining({ address: "aws_s3_bucket.lake", kind: "forget" }),
    ]);
  });

  it("counts imports alongside their action", () => {
    const report = analyzeFixture("import.json");
    expect(report.counts).toEqual({ ...NO_CHANGES, change: 1, import: 2 });
    expect(report.verdict).toBe("pass");
    expect(report.review).toEqual([
      expect.objectContaining({ address: "aws_s3_bucket_versioning.lake", importing: true }),
    ]);
  });

  it("refuses an action list it does not know instead of passing it", () => {
    expect(() => analyzeFixture("unknown-action.json")).toThrow(PlanFormatError);
    expect(() => analyzeFixture("unknown-action.json")).toThrow(/resource_changes\[0\]\.change\.actions/);
  });

  it("treats the delete of a deposed object as destructive", () => {
    const plan = loadFixture("delete.json");
    (plan.resource_changes as Record<string, unknown>[])[0].deposed = "00000001";
    const report = analyzePlan(plan, { allow: [] });
    expect(report.destructive[0]).toMatchObject({ deposed: "00000001", kind: "delete" });
  });
});

describe("analyzePlan: resources that hold nothing", () => {
  /** The replace fixture, re-typed: the same delete-then-create of another resource type. */
  function replaceOf(type: string, address: string): GuardReport {
    const plan = loadFixture("replace-delete-first.json");
    Object.assign((plan.resource_changes as Record<string, unknown>[])[0], { type, address });
    return analyzePlan(plan, { allow: [], env: "dev" });
  }

  it("lets a time_sleep be replaced (its triggers changed): it only waits again", () => {
    const report = replaceOf("time_sleep", "time_sleep.databricks_access_iam_propagation");
    expect(report.counts).toEqual({ ...NO_CHANGES, replace: 1 });
    expect(report.verdict).toBe("pass");
    expect(report.destructive).toEqual([]);
  });

  it("still blocks the replacement of anything else, stateful or not", () => {
    const report = replaceOf("aws_iam_role", "aws_iam_role.databricks_access_lake_access_role");
    expect(report.verdict).toBe("blocked");
    expect(report.destructive.map((c) => c.address)).toEqual([
      "aws_iam_role.databricks_access_lake_access_role",
    ]);
  });
});

describe("analyzePlan: updates that lower data protection", () => {
  it("blocks a Kinesis retention decrease and says by how much", () => {
    const report = analyzeFixture("retention-decrease.json");
    expect(report.verdict).toBe("blocked");
    expect(report.destructive[0]).toMatchObject({
      address: "aws_kinesis_stream.events",
      kind: "update",
      risks: ["retention_period lowered from 168 to 24 hours"],
    });
  });

  it("lets a retention increase through as a review item", () => {
    const plan = loadFixture("retention-decrease.json");
    (firstChange(plan).after as Record<string, unknown>).retention_period = 336;
    const report = analyzePlan(plan, { allow: [] });
    expect(report.verdict).toBe("pass");
    expect(report.review.map((finding) => finding.address)).toEqual(["aws_kinesis_stream.events"]);
  });

  it("does not quote retention values the plan marks sensitive", () => {
    const plan = loadFixture("retention-decrease.json");
    firstChange(plan).after_sensitive = { retention_period: true };
    const report = analyzePlan(plan, { allow: [] });
    expect(report.destructive[0].risks).toEqual(["retention_period lowered (values are sensitive)"]);
  });

  it("blocks S3 versioning being suspended", () => {
    const report = analyzeFixture("versioning-suspended.json");
    expect(report.verdict).toBe("blocked");
    expect(report.destructive[0].risks).toEqual(["versioning Suspended (was Enabled)"]);
  });

  it("blocks force_destroy being turned on", () => {
    const report = analyzeFixture("force-destroy.json");
    expect(report.verdict).toBe("blocked");
    expect(report.destructive[0].risks).toEqual([
      "force_destroy turned on: a destroy would delete its contents",
    ]);
  });

  it("passes a risky update once its address is allowed", () => {
    expect(analyzeFixture("retention-decrease.json", ["aws_kinesis_stream.events"]).verdict).toBe("pass");
  });
});

describe("analyzePlan: allows", () => {
  it("passes only when every destructive change is allowed", () => {
    const partly = analyzeFixture("mixed.json", ["aws_cognito_identity_pool.browser"]);
    expect(partly.verdict).toBe("blocked");
    expect(partly.destructive.filter((change) => change.allowed).map((change) => change.address)).toEqual([
      "aws_cognito_identity_pool.browser",
    ]);
    const fully = analyzeFixture("mixed.json", [
      "aws_cognito_identity_pool.browser",
      "aws_kinesis_stream.events",
      "databricks_schema.bronze",
    ]);
    expect(fully.verdict).toBe("pass");
    expect(fully.unusedAllows).toEqual([]);
  });

  it("reports allows that match no destructive change, including ones for mere updates", () => {
    const report = analyzeFixture("update.json", ["aws_kinesis_stream.events", "aws_s3_bucket.gone"]);
    expect(report.unusedAllows).toEqual(["aws_kinesis_stream.events", "aws_s3_bucket.gone"]);
  });

  it("matches addresses exactly, after trimming", () => {
    expect(analyzeFixture("delete.json", ["  aws_s3_bucket.lake "]).verdict).toBe("pass");
    expect(analyzeFixture("delete.json", ["aws_s3_bucket"]).verdict).toBe("blocked");
  });

  it("splits LAKESTACK_GUARD_ALLOW on commas and whitespace", () => {
    expect(parseAllowList(' a.b, c.d\n e.f["x"],, a.b ')).toEqual(["a.b", "c.d", 'e.f["x"]']);
    expect(parseAllowList(undefined)).toEqual([]);
  });
});

describe("analyzePlan: drift and deferred changes", () => {
  it("counts resources changed outside Terraform", () => {
    expect(analyzeFixture("mixed.json").driftCount).toBe(1);
  });

  it("counts deferred changes", () => {
    const plan = loadFixture("no-op.json");
    plan.deferred_changes = [{ reason: "provider_config_unknown", resource_change: {} }];
    expect(analyzePlan(plan, { allow: [] }).deferredCount).toBe(1);
  });
});
