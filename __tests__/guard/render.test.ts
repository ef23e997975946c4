import { analyzePlan, MARKDOWN_MARKER, renderConsole, renderMarkdown, type GuardReport } from "../../guard";
import { formatPath } from "../../guard/values";
import { loadFixture } from "./fixtures";

type Json = Record<string, unknown>;

function everyOutput(report: GuardReport): string[] {
  return [renderMarkdown([report]), renderConsole(report), JSON.stringify(report)];
}

/** Every string in the plan's before/after values and output changes. */
function plannedStrings(plan: Json): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") found.push(value);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(walk);
  };
  for (const entry of plan.resource_changes as Json[]) {
    const change = entry.change as Json;
    walk(change.before);
    walk(change.after);
  }
  walk(plan.output_changes);
  return found;
}

describe("sensitive values never reach any output", () => {
  const plan = loadFixture("sensitive.json");
  const report = analyzePlan(plan, { allow: [], env: "prod" });

  it.each(["s3cr3t-SHARING-CODE-do-not-print-7f3a9b", "dapi-TOKEN-do-not-print-5e1c0d"])(
    "leaves %s out of the markdown, console and JSON outputs",
    (secret) => {
      for (const output of everyOutput(report)) expect(output).not.toContain(secret);
    },
  );

  it("prints no planned value at all, marked sensitive or not", () => {
    // Recipient activation URLs are not marked sensitive by the provider, yet are secrets.
    const addresses = report.destructive.map((change) => change.address).join(" ");
    // Shorter strings ("TOKEN") and those inside addresses may occur in the summary by chance.
    const values = plannedStrings(plan).filter((value) => value.length >= 10 && !addresses.includes(value));
    expect(values).toContain(
      "https://example.cloud.databricks.com/delta_sharing/retrieve_config.html?OLD-ACTIVATION-do-not-print",
    );
    for (const output of everyOutput(report)) {
      for (const value of values) expect(output).not.toContain(value);
    }
  });

  it("still names the replaced attribute", () => {
    expect(report.destructive[0].replacePaths).toEqual(["sharing_code"]);
  });

  it("prints no planned value of an ordinary plan either", () => {
    const mixed = loadFixture("mixed.json");
    const mixedReport = analyzePlan(mixed, { allow: [] });
    const addresses = mixedReport.destructive.map((change) => change.address).join(" ");
    const values = plannedStrings(mixed).filter((value) => value.length >= 10 && !addresses.includes(value));
    expect(values).toEqual(
      expect.arrayContaining(["lakestack-dev-lake", "bm90LWEtc2VjcmV0LWp1c3QtYS1oYXNo"]),
    );
    for (const output of everyOutput(mixedReport)) {
      for (const value of values) expect(output).not.toContain(value);
    }
  });
});

describe("formatPath", () => {
  it("renders attribute, index and map-key steps", () => {
    expect(formatPath(["versioning_configuration", 0, "status"], {}, {})).toBe(
      "versioning_configuration[0].status",
    );
    expect(formatPath(["tags", "lakestack:env"], {}, {})).toBe('tags["lakestack:env"]');
  });

  it("hides the steps below a sensitive mark on either side", () => {
    const marks = { environment: [{ variables: true }] };
    expect(formatPath(["environment", 0, "variables", "API_KEY"], {}, marks)).toBe(
      "environment[0].variables.(sensitive)",
    );
    expect(formatPath(["environment", 0, "variables", "API_KEY"], marks, {})).toBe(
      "environment[0].variables.(sensitive)",
    );
  });

  it("keeps the name of a sensitive attribute itself", () => {
    expect(formatPath(["sharing_code"], { sharing_code: true }, true)).toBe("sharing_code");
  });
});

describe("renderMarkdown", () => {
  const blocked = analyzePlan(loadFixture("mixed.json"), {
    allow: ["aws_cognito_identity_pool.browser"],
    env: "dev",
  });
  const passing = analyzePlan(loadFixture("create.json"), { allow: ["aws_s3_bucket.gone"], env: "prod" });
  const markdown = renderMarkdown([blocked, passing]);

  it("starts with the marker a CI step finds its comment by", () => {
    expect(markdown.split("\n")[0]).toBe(MARKDOWN_MARKER);
  });

  it("gives the overall verdict and one summary row per environment", () => {
    expect(markdown).toContain("### lakestack plan guard: ❌ blocked");
    expect(markdown).toContain("| dev | 1 | 3 | 1 | 1 | 0 | 0 | ❌ blocked |");
    expect(markdown).toContain("| prod | 1 | 0 | 0 | 0 | 0 | 0 | ✅ pass |");
  });

  it("tables the destructive changes with action, reason, replace paths and allow state", () => {
    expect(markdown).toContain(
      "| `aws_cognito_identity_pool.browser` | replace (create, then destroy) |  | " +
        "`replace_because_cannot_update` | `identity_pool_name` | ✅ allowed |",
    );
    expect(markdown).toContain(
      "| `aws_kinesis_stream.events` | update | yes | retention\\_period lowered from 168 to 24 hours |  | ❌ not allowed |",
    );
  });

  it("tells pull-request readers how CI allows a change, and how to allow one locally", () => {
    expect(markdown).toContain("add a line `<environment> <address>` to `allow-destroy.txt`");
    expect(markdown).toContain("have a reviewer add the `lakestack:allow-destroy` label");
    expect(markdown).toContain("locally, pass `--allow <address>` or set `LAKESTACK_GUARD_ALLOW`");
  });

  it("lists stateful updates for review and warns about unused allows and drift", () => {
    expect(markdown).toContain("#### dev: to review (not blocking)");
    expect(markdown).toContain("| `aws_s3_bucket_lifecycle_configuration.lake` | update | yes |");
    expect(markdown).toContain(
      "prod: the allow for `aws_s3_bucket.gone` matches no destructive change in this plan",
    );
    expect(markdown).toContain("dev: 1 resource(s) changed outside Terraform");
  });

  it("says pass when every plan passes", () => {
    expect(renderMarkdown([passing])).toContain("### lakestack plan guard: ✅ pass");
  });

  it("keeps hostile addresses inside their table cell", () => {
    const plan = loadFixture("delete.json");
    (plan.resource_changes as Json[])[0].address = 'aws_s3_bucket.lake["a|b`c\nd"]';
    const text = renderMarkdown([analyzePlan(plan, { allow: [] })]);
    expect(text).toContain('| ``aws_s3_bucket.lake["a\\|b`c d"]`` | delete |');
  });

  it("cuts very long tables and says how many rows it left out", () => {
    const plan = loadFixture("delete.json");
    const [template] = plan.resource_changes as Json[];
    plan.resource_changes = Array.from({ length: 60 }, (_, i) => ({
      ...template,
      address: `aws_s3_bucket.b${i}`,
    }));
    const text = renderMarkdown([analyzePlan(plan, { allow: [] })]);
    expect(text).toContain("`aws_s3_bucket.b49`");
    expect(text).not.toContain("`aws_s3_bucket.b50`");
    expect(text).toContain("…and 10 more");
  });
});

describe("renderConsole", () => {
  it("prints a headline and one line per finding", () => {
    const report = analyzePlan(loadFixture("replace-delete-first.json"), { allow: [], env: "dev" });
    expect(renderConsole(report)).toBe(
      [
        "lakestack guard [dev]: BLOCKED: 0 to add, 0 to change, 1 to replace, 0 to destroy, 0 to import, 0 to forget",
        "  BLOCKED  replace (destroy, then create): aws_kinesis_stream.events " +
          "(holds data; replace_because_cannot_update; forced by: name)",
        "  to accept a reviewed change: --allow <address> or LAKESTACK_GUARD_ALLOW=<address>",
        "",
      ].join("\n"),
    );
  });

  it("strips terminal control characters from addresses", () => {
    const plan = loadFixture("delete.json");
    (plan.resource_changes as Json[])[0].address = 'aws_s3_bucket.lake["\u001b[2Jx"]';
    expect(renderConsole(analyzePlan(plan, { allow: [] }))).not.toContain("\u001b");
  });
});
