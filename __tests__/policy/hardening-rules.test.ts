import type { Environment } from "../../loader/load";
import { evaluate } from "../../policy/engine";
import type { ResourceIndex, TerraformDocument } from "../../policy/resources";
import type { Rule } from "../../policy/rule";
import { guestsOnlyPutRecords } from "../../policy/rules/iam";
import { productionAlarms } from "../../policy/rules/operations";
import {
  edited,
  loadFrom,
  proposedBase,
  environmentText,
  proposedEnvironment,
  synthesizedDocument,
} from "./fixtures";

let prod: Environment;
let prodDocument: TerraformDocument;

beforeAll(() => {
  prod = proposedEnvironment("prod");
  prodDocument = synthesizedDocument(prod);
});

function report(rule: Rule, resources: ResourceIndex, environment: Environment): string[] {
  return rule.check({ resources, environment }).map((v) => `${v.resource}: ${v.message}`);
}

function found(rule: Rule, edit?: Parameters<typeof edited>[1]): string[] {
  return report(rule, edited(prodDocument, edit), prod);
}

/** Edits an embedded IAM policy document in place. */
function editPolicy(holder: Record<string, any>, edit: (doc: { Statement: any[] }) => void): void {
  const doc = JSON.parse(holder.policy);
  edit(doc);
  holder.policy = JSON.stringify(doc);
}

const GUEST = "aws_iam_role.browser_guest_role";

describe("LS-IAM-5: guests only put records", () => {
  it("passes the reference stack, whose guest role has the bootstrap's guest boundary", () => {
    expect(found(guestsOnlyPutRecords)).toEqual([]);
  });

  it("fails when the guest policy allows anything but PutRecord(s) on the stream", () => {
    expect(
      found(guestsOnlyPutRecords, (r) =>
        editPolicy(r.aws_iam_role_policy.browser_guest_put_records, (doc) =>
          doc.Statement.push({
            Sid: "ReadLake",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: "${aws_s3_bucket.lake_bucket.arn}/*",
          }),
        ),
      ),
    ).toEqual([
      `${GUEST}: aws_iam_role_policy.browser_guest_put_records: statement ReadLake allows s3:GetObject`,
    ]);
    expect(
      found(guestsOnlyPutRecords, (r) =>
        editPolicy(r.aws_iam_role_policy.browser_guest_put_records, (doc) => {
          doc.Statement[0].Resource = "arn:aws:kinesis:eu-west-1:500000000303:stream/someone-elses";
        }),
      ),
    ).toEqual([
      `${GUEST}: aws_iam_role_policy.browser_guest_put_records: statement PutRecords allows kinesis:PutRecord on arn:aws:kinesis:eu-west-1:500000000303:stream/someone-elses`,
    ]);
  });

  it("fails when the guest role shares the environment boundary, has none, or has managed policies", () => {
    expect(
      found(guestsOnlyPutRecords, (r) => {
        r.aws_iam_role.browser_guest_role.permissions_boundary =
          "arn:aws:iam::500000000303:policy/seismo-prod-boundary";
      }),
    ).toEqual([
      `${GUEST}: its boundary is arn:aws:iam::500000000303:policy/seismo-prod-boundary, not the guest boundary arn:aws:iam::500000000303:policy/seismo-prod-guest-boundary`,
    ]);
    expect(
      found(guestsOnlyPutRecords, (r) => {
        delete r.aws_iam_role.browser_guest_role.permissions_boundary;
        r.aws_iam_role.browser_guest_role.managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"];
      }),
    ).toEqual([`${GUEST}: has managed policies attached`, `${GUEST}: has no permissions boundary`]);
  });

  it("reads the stack's own guest boundary when there is no bootstrap boundary", () => {
    const ownBoundary = (extra: object[]) => (r: Record<string, Record<string, Record<string, any>>>) => {
      const allowed = JSON.parse(r.aws_iam_role_policy.browser_guest_put_records.policy);
      allowed.Statement.push(...extra);
      r.aws_iam_policy = {
        browser_guest_boundary: { name: "seismo-prod-guest-boundary", policy: JSON.stringify(allowed) },
      };
      r.aws_iam_role.browser_guest_role.permissions_boundary = "${aws_iam_policy.browser_guest_boundary.arn}";
    };
    expect(found(guestsOnlyPutRecords, ownBoundary([]))).toEqual([]);
    expect(
      found(
        guestsOnlyPutRecords,
        ownBoundary([
          {
            Effect: "Allow",
            Action: "kinesis:GetRecords",
            Resource: "${aws_kinesis_stream.events_stream.arn}",
          },
        ]),
      ),
    ).toEqual([
      `${GUEST}: its boundary aws_iam_policy.browser_guest_boundary: a statement allows kinesis:GetRecords`,
    ]);
  });

  it("fails synth: an error finding, not waived by the reference waivers", () => {
    const findings = evaluate({
      resources: edited(prodDocument, (r) =>
        editPolicy(r.aws_iam_role_policy.browser_guest_put_records, (doc) =>
          doc.Statement[0].Action.push("kinesis:*"),
        ),
      ),
      environment: prod,
    });
    expect(findings.filter((f) => f.rule === "LS-IAM-5")).toEqual([
      expect.objectContaining({ severity: "error", resource: GUEST }),
    ]);
  });
});

describe("LS-OPS-1: production has alarms", () => {
  const withoutAlarms = (r: Record<string, Record<string, unknown>>) => {
    delete r.aws_cloudwatch_metric_alarm;
    delete r.aws_sns_topic_subscription;
  };

  it("passes the reference production stack", () => {
    expect(found(productionAlarms)).toEqual([]);
  });

  it("fails production with alarms turned off, at the YAML line", () => {
    const off = loadFrom("prod", {
      "base.yaml": proposedBase(),
      "prod.yaml": environmentText("prod", { alarms: { enabled: false } }),
    });
    const findings = evaluate({ resources: edited(prodDocument, withoutAlarms), environment: off });
    expect(findings.filter((f) => f.rule === "LS-OPS-1")).toEqual([
      expect.objectContaining({
        severity: "error",
        message: "alarms are turned off in production",
        path: ["alarms", "enabled"],
      }),
    ]);
    expect(off.locate(["alarms", "enabled"]).file).toMatch(/prod\.yaml$/);
  });

  it("fails production whose alarms notify nobody", () => {
    expect(
      found(productionAlarms, (r) => {
        delete r.aws_sns_topic_subscription;
      }),
    ).toEqual(["alarms.emails: alarms notify nobody"]);
  });

  it("leaves development environments alone", () => {
    const dev = loadFrom("dev", { "base.yaml": proposedBase(), "dev.yaml": environmentText("dev") });
    expect(report(productionAlarms, edited(prodDocument, withoutAlarms), dev)).toEqual([]);
  });
});
