import type { Environment } from "../../loader/load";
import type { ResourceIndex, TerraformDocument } from "../../policy/resources";
import type { Rule } from "../../policy/rule";
import { browserGuests, noOtherGuests } from "../../policy/rules/cognito";
import { noForceDestroy, preventDestroy } from "../../policy/rules/data-protection";
import {
  runsAsServicePrincipal,
  schedulesOnPurpose,
  tokenRecipientsRestricted,
  warehouseAutoStop,
} from "../../policy/rules/databricks";
import {
  conditionedTrust,
  guestsOnlyPutRecords,
  namedActions,
  namedResources,
  noAdminPolicies,
} from "../../policy/rules/iam";
import { productionAlarms } from "../../policy/rules/operations";
import { evaluate } from "../../policy/engine";
import { streamEncrypted } from "../../policy/rules/kinesis";
import { logRetention, supportedRuntime } from "../../policy/rules/lambda";
import { encrypted, notPublic, publicAccessBlocked, tlsOnly, versioned } from "../../policy/rules/s3";
import { entropy, noSecretsInYaml, secretKind } from "../../policy/rules/secrets";
import { noMachineReadingExpressions } from "../../policy/rules/terraform";
import {
  add,
  edited,
  environmentText,
  loadFrom,
  proposedBase,
  proposedEnvironment,
  synthesizedDocument,
} from "./fixtures";

let prod: Environment;
let dev: Environment;
let prodDocument: TerraformDocument;
let devDocument: TerraformDocument;

beforeAll(() => {
  prod = proposedEnvironment("prod");
  dev = proposedEnvironment("dev");
  prodDocument = synthesizedDocument(prod);
  devDocument = synthesizedDocument(dev);
});

/** What a rule reports, as `address: message`, for a prod stack edited first. */
function found(rule: Rule, edit?: Parameters<typeof edited>[1], environment = prod): string[] {
  return report(rule, edited(environment === prod ? prodDocument : devDocument, edit), environment);
}

function report(rule: Rule, resources: ResourceIndex, environment: Environment): string[] {
  return rule.check({ resources, environment }).map((v) => `${v.resource}: ${v.message}`);
}

/** Edits an embedded IAM policy document in place. */
function editPolicy(
  holder: Record<string, any>,
  key: string,
  edit: (doc: { Statement: any[] }) => void,
): void {
  const doc = JSON.parse(holder[key]);
  edit(doc);
  holder[key] = JSON.stringify(doc);
}

const LAKE = "aws_s3_bucket.lake_bucket";
const SITE = "aws_s3_bucket.browser_site_bucket";

describe("S3", () => {
  it("LS-S3-1 wants all four public-access flags, except the policy flags of the declared site", () => {
    expect(found(publicAccessBlocked)).toEqual([]);
    expect(
      found(publicAccessBlocked, (r) => delete r.aws_s3_bucket_public_access_block.lake_public_access),
    ).toEqual([`${LAKE}: has no public-access block`]);
    expect(
      found(publicAccessBlocked, (r) => {
        r.aws_s3_bucket_public_access_block.lake_public_access.restrict_public_buckets = false;
        r.aws_s3_bucket_public_access_block.browser_site_public_access.ignore_public_acls = false;
      }),
    ).toEqual([
      `${SITE}: public-access block leaves ignore_public_acls off`,
      `${LAKE}: public-access block leaves restrict_public_buckets off`,
    ]);
  });

  it("LS-S3-1 treats a bucket as the site only when browser ingest declares it", () => {
    const withoutBrowser = proposedEnvironment("prod", { browser_ingest: { enabled: false } });
    expect(report(publicAccessBlocked, edited(prodDocument), withoutBrowser)).toEqual([
      `${SITE}: public-access block leaves block_public_policy, restrict_public_buckets off`,
    ]);
  });

  it("LS-S3-2 wants default encryption, in a companion resource or inline", () => {
    expect(found(encrypted)).toEqual([]);
    expect(
      found(encrypted, (r) => delete r.aws_s3_bucket_server_side_encryption_configuration.lake_encryption),
    ).toEqual([`${LAKE}: has no default encryption`]);
    expect(
      found(encrypted, (r) => {
        delete r.aws_s3_bucket_server_side_encryption_configuration.lake_encryption;
        r.aws_s3_bucket.lake_bucket.server_side_encryption_configuration = {
          rule: { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } },
        };
      }),
    ).toEqual([]);
  });

  it("LS-S3-3 wants a policy denying requests without TLS on the bucket and its objects", () => {
    expect(found(tlsOnly)).toEqual([
      `${SITE}: accepts requests without TLS: no policy statement denies them`,
    ]);
    expect(found(tlsOnly, (r) => delete r.aws_s3_bucket_policy.lake_policy)).toContain(
      `${LAKE}: accepts requests without TLS: no policy statement denies them`,
    );
    expect(
      found(tlsOnly, (r) =>
        editPolicy(r.aws_s3_bucket_policy.lake_policy, "policy", (doc) => {
          doc.Statement[0].Resource = doc.Statement[0].Resource.filter((x: string) => x.endsWith("/*"));
        }),
      ),
    ).toContain(`${LAKE}: denies requests without TLS for only the bucket or only its objects`);
    expect(
      found(tlsOnly, (r) =>
        editPolicy(r.aws_s3_bucket_policy.lake_policy, "policy", (doc) => {
          doc.Statement[0].Condition.Bool["aws:SecureTransport"] = "true";
        }),
      ),
    ).toContain(`${LAKE}: accepts requests without TLS: no policy statement denies them`);
  });

  it("LS-S3-3 and LS-S3-5 fail closed on a bucket policy they cannot read", () => {
    const unreadable = (r: Record<string, any>) =>
      (r.aws_s3_bucket_policy.lake_policy.policy = "${data.x.json}");
    const message = `${LAKE}: has a bucket policy lakestack cannot read: build policies as objects (policyDocument)`;
    expect(found(tlsOnly, unreadable)).toContain(message);
    expect(found(notPublic, unreadable)).toContain(message);
  });

  it("LS-S3-4 wants versioning on every bucket but the declared site", () => {
    expect(found(versioned)).toEqual([]);
    expect(
      found(
        versioned,
        (r) => (r.aws_s3_bucket_versioning.lake_versioning.versioning_configuration.status = "Suspended"),
      ),
    ).toEqual([`${LAKE}: does not keep object versions`]);
  });

  it("LS-S3-5 flags buckets anyone can read, through the policy or an ACL", () => {
    expect(found(notPublic)).toEqual([`${SITE}: bucket policy allows anyone s3:GetObject`]);
    expect(
      found(notPublic, (r) => {
        editPolicy(r.aws_s3_bucket_policy.browser_site_policy, "policy", (doc) => {
          doc.Statement[0].Condition = { IpAddress: { "aws:SourceIp": "192.0.2.0/24" } };
        });
        add(r, "aws_s3_bucket_acl", "lake_acl", {
          bucket: "${aws_s3_bucket.lake_bucket.id}",
          acl: "public-read",
        });
      }),
    ).toEqual([`${LAKE}: bucket ACL is public-read`]);
  });
});

describe("Kinesis", () => {
  it("LS-KIN-1 wants KMS encryption with a key", () => {
    expect(found(streamEncrypted)).toEqual([]);
    expect(
      found(streamEncrypted, (r) => (r.aws_kinesis_stream.events_stream.encryption_type = "NONE")),
    ).toEqual(["aws_kinesis_stream.events_stream: is not encrypted with a KMS key"]);
  });
});

describe("IAM", () => {
  const GUEST_POLICY = "aws_iam_role_policy.browser_guest_put_records";
  const guestPolicy = (edit: (statement: any) => void) => (r: Record<string, any>) =>
    editPolicy(r.aws_iam_role_policy.browser_guest_put_records, "policy", (doc) => edit(doc.Statement[0]));

  it("LS-IAM-1 refuses *, service-wide and NotAction grants", () => {
    expect(found(namedActions)).toEqual([]);
    expect(
      found(
        namedActions,
        guestPolicy((s) => (s.Action = ["kinesis:*", "kinesis:PutRecord"])),
      ),
    ).toEqual([`${GUEST_POLICY}: statement PutRecords allows "kinesis:*"`]);
    expect(
      found(
        namedActions,
        guestPolicy((s) => (s.Action = "*")),
      ),
    ).toEqual([`${GUEST_POLICY}: statement PutRecords allows "*"`]);
    expect(
      found(
        namedActions,
        guestPolicy((s) => {
          delete s.Action;
          s.NotAction = "iam:*";
        }),
      ),
    ).toEqual([`${GUEST_POLICY}: statement PutRecords allows every action except iam:*`]);
  });

  it("LS-IAM-1 ignores Deny statements and reports documents it cannot read", () => {
    expect(
      found(
        namedActions,
        guestPolicy((s) => Object.assign(s, { Effect: "Deny", Action: "*" })),
      ),
    ).toEqual([]);
    expect(
      found(
        namedActions,
        (r) => (r.aws_iam_role_policy.browser_guest_put_records.policy = "${jsonencode(local.x)}"),
      ),
    ).toEqual([
      `${GUEST_POLICY}: has a policy lakestack cannot read: build policies as objects (policyDocument)`,
    ]);
  });

  it("LS-IAM-1 reads inline role policies too", () => {
    expect(
      found(namedActions, (r) => {
        r.aws_iam_role.http_ingest_role.inline_policy = [
          {
            name: "x",
            policy: JSON.stringify({
              Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }],
            }),
          },
        ];
      }),
    ).toEqual([`aws_iam_role.http_ingest_role: a statement allows "s3:*"`]);
  });

  it("LS-IAM-2 refuses * and NotResource in Allow statements", () => {
    expect(found(namedResources)).toEqual([]);
    expect(
      found(
        namedResources,
        guestPolicy((s) => (s.Resource = ["*"])),
      ),
    ).toEqual([`${GUEST_POLICY}: statement PutRecords applies to every resource ("*")`]);
    expect(
      found(
        namedResources,
        guestPolicy((s) => {
          delete s.Resource;
          s.NotResource = "arn:aws:kinesis:eu-west-1:500000000303:stream/other";
        }),
      ),
    ).toEqual([
      `${GUEST_POLICY}: statement PutRecords applies to every resource except arn:aws:kinesis:eu-west-1:500000000303:stream/other`,
    ]);
  });

  it("LS-IAM-3 refuses AWS-managed administrator policies however they are attached", () => {
    expect(found(noAdminPolicies)).toEqual([]);
    expect(
      found(noAdminPolicies, (r) => {
        add(r, "aws_iam_role_policy_attachment", "admin", {
          role: "${aws_iam_role.http_ingest_role.name}",
          policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess",
        });
        add(r, "aws_iam_role_policy_attachment", "read_only", {
          role: "${aws_iam_role.http_ingest_role.name}",
          policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
        });
        r.aws_iam_role.browser_guest_role.managed_policy_arns = [
          "arn:aws-us-gov:iam::aws:policy/PowerUserAccess",
        ];
      }),
    ).toEqual([
      "aws_iam_role_policy_attachment.admin: attaches the AWS-managed AdministratorAccess policy",
      "aws_iam_role.browser_guest_role: attaches the AWS-managed PowerUserAccess policy",
    ]);
  });

  describe("LS-IAM-4", () => {
    const trust = (role: string, edit: (statements: any[]) => void) => (r: Record<string, any>) =>
      editPolicy(r.aws_iam_role[role], "assume_role_policy", (doc) => edit(doc.Statement));

    it("accepts the reference trust policies (Cognito aud, external ids, same-account, services)", () => {
      expect(found(conditionedTrust)).toEqual([]);
    });

    it("wants the Cognito pool's aud, not only amr", () => {
      expect(
        found(
          conditionedTrust,
          trust("browser_guest_role", ([s]) => delete s.Condition.StringEquals),
        ),
      ).toEqual([
        "aws_iam_role.browser_guest_role: trusts federated cognito-identity.amazonaws.com without a condition on cognito-identity.amazonaws.com:aud",
      ]);
    });

    it("wants an aud or sub claim for other identity providers", () => {
      const github = "arn:aws:iam::500000000303:oidc-provider/token.actions.githubusercontent.com";
      const oidc = (condition?: object) =>
        trust("http_ingest_role", (statements) =>
          statements.splice(0, 1, {
            Effect: "Allow",
            Principal: { Federated: github },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: condition,
          }),
        );
      expect(found(conditionedTrust, oidc())).toEqual([
        `aws_iam_role.http_ingest_role: trusts federated ${github} without a condition on its aud or sub claim`,
      ]);
      expect(
        found(
          conditionedTrust,
          oidc({ StringLike: { "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main" } }),
        ),
      ).toEqual([]);
    });

    it("wants conditions on other accounts and on anyone, not on the own account", () => {
      expect(
        found(
          conditionedTrust,
          trust("databricks_access_lake_access_role", (statements) =>
            statements.forEach((s) => delete s.Condition),
          ),
        ),
      ).toEqual([
        "aws_iam_role.databricks_access_lake_access_role: trusts arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL from outside the account without a condition",
      ]);
      expect(
        found(
          conditionedTrust,
          trust("http_ingest_role", ([s]) => (s.Principal = "*")),
        ),
      ).toEqual(["aws_iam_role.http_ingest_role: trusts * from outside the account without a condition"]);
    });
  });
});

describe("Lambda", () => {
  const FUNCTION = "aws_lambda_function.http_ingest_function";

  it("LS-LAM-1 wants a supported Node.js runtime (container images have none)", () => {
    expect(found(supportedRuntime)).toEqual([]);
    expect(
      found(supportedRuntime, (r) => (r.aws_lambda_function.http_ingest_function.runtime = "nodejs20.x")),
    ).toEqual([`${FUNCTION}: runs on nodejs20.x`]);
    expect(
      found(supportedRuntime, (r) => {
        const fn = r.aws_lambda_function.http_ingest_function;
        delete fn.runtime;
        fn.package_type = "Image";
      }),
    ).toEqual([]);
  });

  it("LS-LAM-2 wants the function's log group in the stack, with retention", () => {
    expect(found(logRetention)).toEqual([]);
    expect(
      found(logRetention, (r) => delete r.aws_cloudwatch_log_group.http_ingest_log_group.retention_in_days),
    ).toEqual([
      `${FUNCTION}: logs to aws_cloudwatch_log_group.http_ingest_log_group, which keeps logs forever`,
    ]);
    expect(found(logRetention, (r) => delete r.aws_cloudwatch_log_group.http_ingest_log_group)).toEqual([
      `${FUNCTION}: has no log group in the stack`,
    ]);
    // Without logging_config, Lambda writes to /aws/lambda/<function name>.
    expect(
      found(logRetention, (r) => delete r.aws_lambda_function.http_ingest_function.logging_config),
    ).toEqual([]);
  });
});

describe("Cognito", () => {
  const POOL = "aws_cognito_identity_pool.browser_identity_pool";

  it("LS-COG-1 reports guest access on the browser-ingest pool", () => {
    expect(found(browserGuests)).toEqual([
      `${POOL}: lets anonymous visitors assume its guest role (classic flow on)`,
    ]);
    expect(
      found(
        browserGuests,
        (r) => (r.aws_cognito_identity_pool.browser_identity_pool.allow_unauthenticated_identities = false),
      ),
    ).toEqual([]);
  });

  it("LS-COG-2 refuses guest access on any other pool", () => {
    expect(found(noOtherGuests)).toEqual([]);
    expect(
      found(noOtherGuests, (r) =>
        add(r, "aws_cognito_identity_pool", "other", {
          identity_pool_name: "seismo-prod-other",
          allow_unauthenticated_identities: true,
        }),
      ),
    ).toEqual(["aws_cognito_identity_pool.other: lets anonymous visitors in"]);
  });
});

describe("Databricks", () => {
  it("LS-DBX-1 wants the warehouse to stop when idle, pointing at auto_stop_minutes", () => {
    expect(found(warehouseAutoStop)).toEqual([]);
    const violations = warehouseAutoStop.check({
      resources: edited(
        prodDocument,
        (r) => (r.databricks_sql_endpoint.sql_warehouse_warehouse.auto_stop_mins = 0),
      ),
      environment: prod,
    });
    expect(violations).toEqual([
      {
        resource: "databricks_sql_endpoint.sql_warehouse_warehouse",
        message: "never stops when idle (auto_stop_mins is 0)",
        path: ["warehouse", "auto_stop_minutes"],
      },
    ]);
  });

  it("LS-DBX-2 wants an IP access list on production token recipients only", () => {
    expect(found(tokenRecipientsRestricted)).toEqual([]);
    const open = (r: Record<string, any>) => {
      for (const recipient of Object.values<any>(r.databricks_recipient)) delete recipient.ip_access_list;
    };
    const violations = tokenRecipientsRestricted.check({
      resources: edited(prodDocument, open),
      environment: prod,
    });
    expect(violations).toEqual([
      {
        resource: "databricks_recipient.delta_sharing_recipient_partner_research",
        message: "token recipient 'partner_research' can use its credential from any address",
        path: ["sharing", "recipients", "partner_research"],
      },
    ]);
    expect(found(tokenRecipientsRestricted, open, dev)).toEqual([]);
  });

  it("LS-DBX-3 wants production pipelines and jobs to run as a service principal", () => {
    expect(found(runsAsServicePrincipal)).toEqual([]);
    expect(
      found(runsAsServicePrincipal, (r) => {
        delete r.databricks_pipeline.events_pipeline_pipeline.run_as;
        r.databricks_job.job_device_max_job.run_as = { user_name: "someone@example.com" };
      }),
    ).toEqual([
      "databricks_pipeline.events_pipeline_pipeline: runs as whoever deploys it",
      "databricks_job.job_device_max_job: runs as the user someone@example.com",
    ]);
    expect(found(runsAsServicePrincipal, undefined, dev)).toEqual([]);
  });

  it("LS-DBX-4 wants production schedules unpaused only when the YAML says paused: false", () => {
    expect(found(schedulesOnPurpose)).toEqual([]);
    const implicit = loadFrom("prod", {
      "base.yaml": proposedBase({ explicitSchedules: false }),
      "prod.yaml": environmentText("prod"),
    });
    const violations = schedulesOnPurpose.check({ resources: edited(prodDocument), environment: implicit });
    expect(violations.map((v) => [v.resource, v.path])).toEqual([
      ["databricks_job.job_device_max_job", ["jobs", "device_max", "schedule"]],
      ["databricks_job.job_magnitude_heatmap_job", ["jobs", "magnitude_heatmap", "schedule"]],
      ["databricks_job.job_quake_alerts_job", ["jobs", "quake_alerts", "schedule"]],
    ]);
    expect(found(schedulesOnPurpose, undefined, dev)).toEqual([]);
    // An environment that changes only a job's cron keeps base.yaml's paused: false.
    const retimed = proposedEnvironment("prod", {
      jobs: { device_max: { schedule: { cron: "0 0/30 * * * ?" } } },
    });
    expect(schedulesOnPurpose.check({ resources: edited(prodDocument), environment: retimed })).toEqual([]);
  });
});

describe("data protection", () => {
  it("LS-DATA-1 wants prevent_destroy on production's stateful resources, not on the site bucket", () => {
    expect(found(preventDestroy)).toEqual([]);
    expect(
      found(preventDestroy, (r) => {
        delete r.aws_kinesis_stream.events_stream.lifecycle;
        delete r.databricks_recipient.delta_sharing_recipient_partner_analytics.lifecycle;
      }),
    ).toEqual([
      "aws_kinesis_stream.events_stream: can be destroyed: lifecycle.prevent_destroy is not set",
      "databricks_recipient.delta_sharing_recipient_partner_analytics: can be destroyed: lifecycle.prevent_destroy is not set",
    ]);
    expect(found(preventDestroy, undefined, dev)).toEqual([]);
  });

  it("LS-DATA-2 refuses force_destroy in production, pointing at lake.force_destroy for the lake", () => {
    expect(found(noForceDestroy)).toEqual([]);
    const violations = noForceDestroy.check({
      resources: edited(prodDocument, (r) => {
        r.aws_s3_bucket.lake_bucket.force_destroy = true;
        r.databricks_schema.unity_catalog_schema.force_destroy = true;
      }),
      environment: prod,
    });
    expect(violations.map((v) => [v.resource, v.path])).toEqual([
      [LAKE, ["lake", "force_destroy"]],
      ["databricks_schema.unity_catalog_schema", undefined],
    ]);
    // Development lakes are meant to be thrown away.
    expect(found(noForceDestroy, undefined, dev)).toEqual([]);
  });
});

describe("secrets in YAML", () => {
  const TOKEN = `dapi${"0123456789abcdef".repeat(2)}`;

  it("LS-SEC-1 finds credential-shaped values and names where they are, never what they are", () => {
    const leaky = proposedEnvironment("prod", {
      tags: {
        db_token: TOKEN,
        admin_password: "hunter2",
        api_secret: "q8Zr2LmX9vT4pW7sK1nB",
        token_budget: "1000",
      },
      sharing: {
        recipients: {
          partner: {
            auth: "token",
            ip_access_list: ["192.0.2.1"],
            comment: "key AKIAABCDEFGHIJKLMNOP",
          },
        },
      },
    });
    const violations = noSecretsInYaml.check({ resources: edited(prodDocument), environment: leaky });
    expect(violations.map((v) => [v.resource, v.message])).toEqual([
      ["tags.db_token", "looks like a Databricks personal access token"],
      ["tags.admin_password", "looks like a password (key 'admin_password')"],
      ["tags.api_secret", "looks like a random-looking secret (key 'api_secret')"],
      ["sharing.recipients.partner.comment", "looks like an AWS access key id"],
    ]);
    expect(violations[0].path).toEqual(["tags", "db_token"]);
    expect(JSON.stringify(violations)).not.toMatch(/hunter2|dapi0|AKIA|q8Zr/);
    expect(noSecretsInYaml.check({ resources: edited(prodDocument), environment: prod })).toEqual([]);
  });

  it("LS-SEC-1 reads comments too, at their line, in either file", () => {
    const text = environmentText("prod");
    const leaky = loadFrom("prod", {
      "base.yaml": `${proposedBase()}# databricks auth: export DATABRICKS_TOKEN=${TOKEN}\n`,
      "prod.yaml": `${text}# api_secret: q8Zr2LmX9vT4pW7sK1nB\n# token: the one in the vault, not here\n`,
    });
    const violations = noSecretsInYaml.check({ resources: edited(prodDocument), environment: leaky });
    const baseLines = proposedBase().split("\n").length;
    expect(violations.map((v) => [v.resource, v.message, v.position?.line])).toEqual([
      ["comment", "looks like a Databricks personal access token", baseLines],
      ["comment", "looks like a random-looking secret (key 'api_secret')", text.split("\n").length],
    ]);
    expect(violations.map((v) => v.position?.file)).toEqual([
      expect.stringMatching(/base\.yaml$/),
      expect.stringMatching(/prod\.yaml$/),
    ]);
    expect(JSON.stringify(violations)).not.toMatch(/dapi0|q8Zr/);
  });

  it("tells random strings from words by entropy", () => {
    expect(entropy("aaaaaaaaaaaaaaaa")).toBe(0);
    expect(entropy("q8Zr2LmX9vT4pW7sK1nB")).toBeGreaterThan(4);
    expect(secretKind("client_secret", "this-is-not-set-yet")).toBeUndefined();
    expect(secretKind("token", "-----BEGIN OPENSSH PRIVATE KEY-----")).toBe("a private key");
    expect(secretKind(0, `ghp_${"a1B2".repeat(9)}`)).toBe("a GitHub token");
  });
});

describe("Terraform expressions", () => {
  it("LS-TF-1 refuses expressions that read files, and allows references and jsonencode", () => {
    expect(found(noMachineReadingExpressions)).toEqual([]);
    expect(
      found(noMachineReadingExpressions, (r) => {
        r.aws_kinesis_stream.events_stream.tags = { team: 'x-${file("/home/runner/.aws/credentials")}' };
        r.aws_s3_bucket.lake_bucket.tags = { note: "see file(1) and ${aws_s3_bucket.lake_bucket.id}" };
      }),
    ).toEqual(["aws_kinesis_stream.events_stream: tags.team calls a Terraform function that reads files"]);
  });
});

const GUEST = "aws_iam_role.browser_guest_role";

describe("LS-IAM-5: guests only put records", () => {
  it("passes the reference stack, whose guest role has the bootstrap's guest boundary", () => {
    expect(found(guestsOnlyPutRecords)).toEqual([]);
  });

  it("fails when the guest policy allows anything but PutRecord(s) on the stream", () => {
    expect(
      found(guestsOnlyPutRecords, (r) =>
        editPolicy(r.aws_iam_role_policy.browser_guest_put_records, "policy", (doc) =>
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
        editPolicy(r.aws_iam_role_policy.browser_guest_put_records, "policy", (doc) => {
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
        editPolicy(r.aws_iam_role_policy.browser_guest_put_records, "policy", (doc) =>
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
