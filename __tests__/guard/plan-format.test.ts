import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guardCommand } from "../../cli/guard";
import { analyzePlan, parsePlanText, PlanFormatError } from "../../guard";
import { inProcess, recordingContext } from "./cli-context";
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

// Plans as they come from the real world: older format versions, files PowerShell saved, and minimal
// hand-made plans that carry only what the verdict needs.

describe("plan format versions", () => {
  it.each(["0.1", "0.2", "1.0", "1.2", "1.9"])("reads format_version %s", (version) => {
    const plan = { ...loadFixture("delete.json"), format_version: version };
    const report = analyzePlan(plan, { allow: [] });
    expect(report.verdict).toBe("blocked");
    expect(report.destructive.map((d) => d.address)).toEqual(["aws_s3_bucket.lake"]);
  });

  it.each(["2.0", "2.1", "10.0"])("refuses format_version %s, saying why", (version) => {
    const plan = { ...loadFixture("create.json"), format_version: version };
    expect(rejection(plan)).toBe(
      `plan JSON: format_version is ${version}: a new major version of the plan format may change what the ` +
        "fields the guard reads mean, so it cannot vouch for this plan; versions 0.1 to 1.x are supported",
    );
  });

  it("refuses a version older than any Terraform wrote", () => {
    expect(rejection({ ...loadFixture("create.json"), format_version: "0.0" })).toMatch(/oldest plan format/);
  });
});

describe("plans with only what the verdict needs", () => {
  it("reads resource_changes without planned_values", () => {
    const plan = loadFixture("delete.json");
    delete plan.planned_values;
    delete plan.prior_state;
    const report = analyzePlan(plan, { allow: [] });
    expect(report.verdict).toBe("blocked");
    expect(report.counts.destroy).toBe(1);
  });

  it("reads a hand-made plan of three fields", () => {
    const plan = {
      format_version: "1.2",
      resource_changes: [
        {
          address: "aws_kinesis_stream.events_stream",
          mode: "managed",
          type: "aws_kinesis_stream",
          change: { actions: ["delete", "create"], before: {}, after: {} },
        },
      ],
    };
    expect(analyzePlan(plan, { allow: [] }).verdict).toBe("blocked");
    expect(analyzePlan(plan, { allow: ["aws_kinesis_stream.events_stream"] }).verdict).toBe("pass");
  });

  it("still refuses state output, which has neither resource_changes nor planned_values", () => {
    expect(rejection({ format_version: "1.0", values: { root_module: {} } })).toBe(
      "plan JSON: the document has neither resource_changes nor planned_values: this is not a plan",
    );
  });
});

describe("plan file encodings", () => {
  const text = fixtureText("replace-delete-first.json");
  const utf16be = (s: string) => {
    const le = Buffer.from(s, "utf16le");
    for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
    return le;
  };
  const encodings: [string, Buffer][] = [
    ["UTF-8", Buffer.from(text, "utf8")],
    ["UTF-8 with a byte-order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
    [
      "UTF-16 LE with a byte-order mark",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
    ],
    ["UTF-16 BE with a byte-order mark", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])],
  ];

  it.each(encodings)("parses %s to the same plan", (_name, bytes) => {
    expect(parsePlanText(bytes, "plan.json")).toEqual(JSON.parse(text));
  });

  it("says what to do with UTF-16 that has no byte-order mark", () => {
    expect(() => parsePlanText(Buffer.from(text, "utf16le"), "plan.json")).toThrow(
      /plan\.json looks like UTF-16 without a byte-order mark; save it as UTF-8/,
    );
  });

  it("refuses bytes that are not UTF-8", () => {
    expect(() => parsePlanText(Buffer.from([0x7b, 0xff, 0x7d]), "plan.json")).toThrow(
      /plan\.json is neither UTF-8 nor UTF-16 with a byte-order mark/,
    );
  });

  describe("through `lakestack guard`", () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "lakestack-encodings-"))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(encodings)("guards a plan saved as %s", async (name, bytes) => {
      const file = join(dir, `${name.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, bytes);
      const context = recordingContext({});
      await inProcess(guardCommand(context), context).parseAsync([file], { from: "user" });
      expect(context.stderr()).toBe("");
      expect(context.exitCode()).toBe(1);
      expect(context.stdout()).toContain(
        "BLOCKED  replace (destroy, then create): aws_kinesis_stream.events",
      );
    });
  });
});
