import { Testing } from "cdktf";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { nextSteps } from "../../bootstrap/main";
import {
  ciRoleArn,
  deployPolicy,
  githubSubject,
  githubTrustStatements,
  guestBoundaryPolicy,
  oidcSubjectSetting,
  permissionsBoundaryArn,
  permissionsBoundaryPolicy,
  planPolicy,
  stateAccessStatements,
  stateEncryptionStatement,
} from "../../bootstrap/policies";
import { ALARM_NAMES } from "../../modules/aws/alarms";
import {
  BootstrapInputError,
  loadBootstrapInputs,
  type BootstrapInputs,
  type CiEnvironment,
} from "../../bootstrap/settings";
import { loadEnvironments } from "../../loader/load";
import { addBootstrapStacks, githubRoleVariables } from "../../bootstrap/stacks";
import { LAKE_PREFIXES } from "../../modules/aws/data-lake";
import { REQUIRED_TERRAFORM_VERSION } from "../../stacks/terraform-version";
import type { PolicyStatement } from "../../modules/aws/iam";
import { referenceEnvironment, synthStack, testApp } from "../helpers";
import { CONFIG_DIR, ROOT, scratchDir } from "./support";

const SETTINGS = join(ROOT, "bootstrap", "bootstrap.yaml");
const asList = (value: string | readonly string[] | undefined) =>
  value === undefined ? [] : typeof value === "string" ? [value] : [...value];
const actionsOf = (statements: readonly PolicyStatement[]) => statements.flatMap((s) => asList(s.Action));

/** Every Allow grant as (action, resource) pairs. */
function grants(statements: readonly PolicyStatement[]): [string, string][] {
  return statements
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => asList(s.Action).flatMap((a) => asList(s.Resource).map((r): [string, string] => [a, r])));
}

function synthesized(inputs: BootstrapInputs) {
  const app = testApp();
  const stacks = addBootstrapStacks(app, inputs, { outDir: "bootstrap/cdktf.out", stateDir: "bootstrap" });
  const json = (stack: Parameters<typeof Testing.synth>[0]) => JSON.parse(Testing.synth(stack));
  return {
    state: json(stacks.state),
    accounts: new Map([...stacks.accounts].map(([account, stack]) => [account, json(stack)])),
  };
}

describe("the bootstrap stacks for the reference config", () => {
  const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
  const { state, accounts } = synthesized(inputs);
  const prod = inputs.environments.find((e) => e.name === "prod")!;
  const prodStack = accounts.get(prod.accountId)!;
  const bucketPolicy = JSON.parse(Object.values<any>(state.resource.aws_s3_bucket_policy)[0].policy);

  it("keeps their own state locally, outside the output folder", () => {
    expect(state.terraform.backend.local.path).toBe("../../../terraform.state.tfstate");
    expect(prodStack.terraform.backend.local.path).toBe(
      `../../../terraform.github-${prod.accountId}.tfstate`,
    );
    expect(state.provider.aws[0].allowed_account_ids).toEqual([inputs.state.accountId]);
    // Terraform older than 1.10 stops at init, as it does for the environments' stacks.
    for (const stack of [state, ...accounts.values()]) {
      expect(stack.terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
    }
  });

  it("makes the state bucket versioned, encrypted, private and impossible for Terraform to destroy", () => {
    const [bucket] = Object.values<any>(state.resource.aws_s3_bucket);
    expect(bucket.bucket).toBe(inputs.state.bucket);
    expect(bucket.lifecycle.prevent_destroy).toBe(true);
    expect(
      Object.values<any>(state.resource.aws_s3_bucket_versioning)[0].versioning_configuration.status,
    ).toBe("Enabled");
    const [encryption] = Object.values<any>(
      state.resource.aws_s3_bucket_server_side_encryption_configuration,
    );
    expect(encryption.rule[0]).toMatchObject({
      apply_server_side_encryption_by_default: {
        sse_algorithm: "aws:kms",
        kms_master_key_id: "${aws_kms_key.state_key.arn}",
      },
      bucket_key_enabled: true,
    });
    expect(Object.values<any>(state.resource.aws_s3_bucket_public_access_block)[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it("denies the state bucket to every request without TLS", () => {
    expect(bucketPolicy.Statement).toContainEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["${aws_s3_bucket.state_bucket.arn}", "${aws_s3_bucket.state_bucket.arn}/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("lets each environment's roles, and only those, reach that environment's state object", () => {
    const stateObject = `arn:aws:s3:::${inputs.state.bucket}/${prod.stateKey}`;
    const onState = (principal: string) =>
      bucketPolicy.Statement.filter(
        (s: PolicyStatement) =>
          s.Resource === stateObject && s.Condition?.ArnEquals?.["aws:PrincipalArn"] === principal,
      ).flatMap((s: PolicyStatement) => asList(s.Action));
    expect(onState(ciRoleArn(prod, "plan"))).toEqual(["s3:GetObject"]);
    expect(onState(ciRoleArn(prod, "deploy")).sort()).toEqual(["s3:GetObject", "s3:PutObject"]);
    const principals = bucketPolicy.Statement.filter((s: PolicyStatement) => s.Resource === stateObject).map(
      (s: PolicyStatement) => s.Condition?.ArnEquals?.["aws:PrincipalArn"],
    );
    expect(new Set(principals)).toEqual(new Set([ciRoleArn(prod, "plan"), ciRoleArn(prod, "deploy")]));
  });

  it("creates one GitHub OIDC provider per account, for AWS STS as audience", () => {
    expect([...accounts.keys()].sort()).toEqual(
      [...new Set(inputs.environments.map((e) => e.accountId))].sort(),
    );
    expect(Object.values<any>(prodStack.resource.aws_iam_openid_connect_provider)).toEqual([
      expect.objectContaining({
        url: "https://token.actions.githubusercontent.com",
        client_id_list: ["sts.amazonaws.com"],
      }),
    ]);
  });

  it("trusts the plan role only for the plan-<env> GitHub environment and the deploy role only for <env>", () => {
    const roles = Object.values<any>(prodStack.resource.aws_iam_role);
    const trustOf = (name: string) =>
      JSON.parse(roles.find((r) => r.name === name).assume_role_policy).Statement as PolicyStatement[];
    for (const [kind, environment] of [
      ["plan", "plan-prod"],
      ["deploy", "prod"],
    ] as const) {
      const [statement] = trustOf(`${prod.project}-prod-ci-${kind}`);
      expect(statement).toMatchObject({
        Effect: "Allow",
        Principal: {
          Federated: `arn:aws:iam::${prod.accountId}:oidc-provider/token.actions.githubusercontent.com`,
        },
        Action: "sts:AssumeRoleWithWebIdentity",
      });
      expect(statement.Condition?.StringEquals?.["token.actions.githubusercontent.com:aud"]).toBe(
        "sts.amazonaws.com",
      );
      const subjects = asList(
        (statement.Condition?.StringEquals ?? statement.Condition?.StringLike)?.[
          "token.actions.githubusercontent.com:sub"
        ],
      );
      for (const subject of subjects) {
        expect(
          subject.startsWith(`repo:seismo-platform/lakestack:environment:${environment}:job_workflow_ref:`),
        ).toBe(true);
      }
    }
    expect(roles.every((r) => r.path === "/lakestack-ci/")).toBe(true);
  });

  it("keeps every role policy under IAM's 10,240-character limit for a role's inline policies", () => {
    for (const stack of accounts.values()) {
      for (const policy of Object.values<any>(stack.resource.aws_iam_role_policy)) {
        expect(policy.policy.length).toBeLessThan(10240);
      }
    }
  });

  it("tells people which role ARN goes into which GitHub environment", () => {
    expect(githubRoleVariables(inputs)).toContainEqual({
      environment: "plan-prod",
      roleArn: `arn:aws:iam::${prod.accountId}:role/lakestack-ci/${prod.project}-prod-ci-plan`,
    });
    expect(githubRoleVariables(inputs)).toHaveLength(inputs.environments.length * 2);
  });
});

describe("the plan role's permissions", () => {
  const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
  const prod = inputs.environments.find((e) => e.name === "prod")!;
  const statements = planPolicy(inputs.state, prod);

  it("cannot read data: no stream records, no lake objects beyond its empty prefix markers, no log events", () => {
    const actions = actionsOf(statements);
    for (const reader of ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:SubscribeToShard"]) {
      expect(actions).not.toContain(reader);
    }
    expect(actions.filter((a) => a.startsWith("logs:") && /Get|Filter|Start/.test(a))).toEqual([]);
    const lakeReads = grants(statements).filter(
      ([action, resource]) => action === "s3:GetObject" && resource.includes(prod.names.lakeBucket),
    );
    expect(lakeReads.map(([, resource]) => resource)).toEqual(
      LAKE_PREFIXES.map((p) => `arn:aws:s3:::${prod.names.lakeBucket}/${p}`),
    );
  });

  it("writes nothing, not even the state lock: pull-request plans run with -lock=false", () => {
    const writes = grants(statements).filter(([action]) =>
      /^(s3:(Put|Delete)|kinesis:(Put|Create|Delete)|lambda:(Create|Update|Delete)|iam:(Create|Put|Delete|Update|Attach)|apigateway:(POST|PUT|PATCH|DELETE)|sns:(Create|Delete|Set|Subscribe|Publish)|cloudwatch:(Put|Delete)|kms:(Encrypt|GenerateDataKey))/.test(
        action,
      ),
    );
    expect(writes).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain(".tflock");
  });

  it("names every service's actions and never grants on '*'", () => {
    expect(actionsOf(statements).filter((a) => a.endsWith(":*"))).toEqual([]);
    expect(grants(statements).filter(([, resource]) => resource === "*")).toEqual([]);
  });
});

describe("the deploy role's permissions", () => {
  const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
  const prod = inputs.environments.find((e) => e.name === "prod")!;
  const statements = deployPolicy(inputs.state, prod);

  // A resource type the stacks start using without a grant here fails the first deploy, not a review.
  it("covers the service of every AWS resource type the environment's stack creates", () => {
    const serviceOf: Record<string, string> = {
      aws_apigatewayv2: "apigateway",
      aws_cloudfront: "cloudfront",
      aws_cloudwatch_log: "logs",
      aws_cloudwatch_metric: "cloudwatch",
      aws_cognito: "cognito-identity",
      aws_iam: "iam",
      aws_kinesis: "kinesis",
      aws_lambda: "lambda",
      aws_s3: "s3",
      aws_sns: "sns",
    };
    const { json } = synthStack(referenceEnvironment("prod"));
    const services = Object.keys(json.resource)
      .filter((type) => type.startsWith("aws_"))
      .map(
        (type) => Object.entries(serviceOf).find(([prefix]) => type.startsWith(`${prefix}_`))?.[1] ?? type,
      );
    const granted = new Set(actionsOf(statements).map((action) => action.split(":")[0]));
    expect([...new Set(services)].filter((service) => !granted.has(service))).toEqual([]);
  });

  // lakestack verify runs in the deploy job with this role: it puts its synthetic events into the stream.
  it("lets lakestack verify put records into the environment's stream, and into no other", () => {
    const stream = `arn:aws:kinesis:${prod.region}:${prod.accountId}:stream/${prod.names.stream}`;
    const putRecords = (resource: string) =>
      grants(statements).some(
        ([action, granted]) =>
          (action === "kinesis:PutRecords" || action === "kinesis:*") &&
          (granted === resource || granted === "*"),
      );
    expect(putRecords(stream)).toBe(true);
    expect(putRecords(stream.replace(prod.names.stream, "seismo-staging-events"))).toBe(false);
  });

  it("manages only the environment's own resources, by their derived names", () => {
    const resources = grants(statements).map(([, resource]) => resource);
    expect(resources).toContain(
      `arn:aws:kinesis:${prod.region}:${prod.accountId}:stream/${prod.names.stream}`,
    );
    expect(resources).toContain(`arn:aws:s3:::${prod.names.lakeBucket}`);
    const roleResources = grants(statements)
      .filter(([action]) => action === "iam:CreateRole")
      .map(([, resource]) => resource);
    expect(roleResources.sort()).toEqual(
      [
        prod.names.guestRole,
        prod.names.ingestRole,
        prod.names.kinesisReaderRole,
        prod.names.lakeAccessRole,
        prod.names.computeRole,
      ]
        .map((name) => `arn:aws:iam::${prod.accountId}:role/${name}`)
        .sort(),
    );
    // The two "*": CreateIdentityPool and the log deliveries of API access logs have no resource type;
    // both are held to the environment's region.
    const star = statements.filter((s) => asList(s.Resource).includes("*"));
    expect(star).toEqual([
      expect.objectContaining({
        Sid: "DeliverApiAccessLogs",
        Condition: { StringEquals: { "aws:RequestedRegion": prod.region } },
      }),
      expect.objectContaining({
        Action: "cognito-identity:CreateIdentityPool",
        Condition: { StringEquals: { "aws:RequestedRegion": prod.region } },
      }),
    ]);
    expect(
      actionsOf(star.filter((s) => s.Sid === "DeliverApiAccessLogs")).every((a) => a.startsWith("logs:")),
    ).toBe(true);
  });

  it("cannot change CI's own roles or the OIDC provider", () => {
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Action: "iam:*",
        Resource: [
          `arn:aws:iam::${prod.accountId}:role/lakestack-ci/*`,
          `arn:aws:iam::${prod.accountId}:oidc-provider/token.actions.githubusercontent.com`,
        ],
      }),
    );
  });

  it("passes roles only to the services that use them", () => {
    const passRole = statements.find((s) => s.Action === "iam:PassRole")!;
    expect(passRole.Condition?.StringEquals?.["iam:PassedToService"]).toEqual([
      "cognito-identity.amazonaws.com",
      "ec2.amazonaws.com",
      "lambda.amazonaws.com",
    ]);
  });

  it("writes the environment's state and takes its lock", () => {
    const state = grants(statements).filter(([, resource]) =>
      resource.startsWith(`arn:aws:s3:::${inputs.state.bucket}/`),
    );
    expect(state).toEqual(
      expect.arrayContaining([
        ["s3:PutObject", `arn:aws:s3:::${inputs.state.bucket}/${prod.stateKey}`],
        ["s3:DeleteObject", `arn:aws:s3:::${inputs.state.bucket}/${prod.stateKey}.tflock`],
      ]),
    );
  });
});

const ROLE_PERMISSION_WRITES = [
  "iam:AttachRolePolicy",
  "iam:CreateRole",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
];

/** The bootstrap inputs and the environment for a copy of the reference config with prod.yaml changed. */
function prodVariant(changes: [string[], unknown][]) {
  const dir = scratchDir("boundary");
  try {
    writeFileSync(join(dir, "base.yaml"), readFileSync(join(CONFIG_DIR, "base.yaml")));
    const doc = parseDocument(readFileSync(join(CONFIG_DIR, "prod.yaml"), "utf8"));
    for (const [path, value] of changes) doc.setIn(path, value);
    writeFileSync(join(dir, "prod.yaml"), String(doc));
    const ci = loadBootstrapInputs(SETTINGS, dir).environments[0];
    return { ci, environment: loadEnvironments(dir, ["prod"])[0] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** IAM's wildcard match of one action against a pattern such as kms:GenerateDataKey*. */
const actionMatches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);

describe("the permissions boundary", () => {
  const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
  const { accounts } = synthesized(inputs);
  const prod = inputs.environments.find((e) => e.name === "prod")!;
  const boundary = permissionsBoundaryPolicy(prod);

  it("is one managed policy per environment, made in the environment's account, as the reference config asks", () => {
    for (const env of inputs.environments) {
      expect(env.permissionsBoundary).toBe(`${env.project}-${env.name}-boundary`);
      const policies = Object.values<any>(accounts.get(env.accountId)!.resource.aws_iam_policy ?? {});
      const mine = policies.filter((p) => p.name === env.permissionsBoundary);
      expect(mine).toHaveLength(1);
      expect(mine[0].path).toBe("/");
      expect(JSON.parse(mine[0].policy).Statement).toEqual(permissionsBoundaryPolicy(env));
    }
  });

  it("is the boundary the environment's stack puts on every one of its roles but the guests'", () => {
    const { json } = synthStack(referenceEnvironment("prod"));
    const roles = Object.values<any>(json.resource.aws_iam_role);
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(role.permissions_boundary).toBe(
        permissionsBoundaryArn(
          prod.accountId,
          role.name === prod.names.guestRole ? prod.names.guestBoundary : prod.permissionsBoundary!,
        ),
      );
    }
  });

  it("reaches only the environment's own resources, and nothing in IAM or Organizations", () => {
    const own = [
      `arn:aws:kinesis:${prod.region}:${prod.accountId}:stream/${prod.names.stream}`,
      `arn:aws:logs:${prod.region}:${prod.accountId}:log-group:/aws/lambda/${prod.names.ingestFunction}`,
      `arn:aws:s3:::${prod.names.lakeBucket}`,
      `arn:aws:s3:::${prod.names.siteBucket}`,
      ...[
        prod.names.guestRole,
        prod.names.ingestRole,
        prod.names.kinesisReaderRole,
        prod.names.lakeAccessRole,
        prod.names.computeRole,
      ].map((name) => `arn:aws:iam::${prod.accountId}:role/${name}`),
    ];
    const resources = boundary.flatMap((s) => asList(s.Resource));
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) {
      expect(
        own.some((arn) => resource === arn || resource.startsWith(`${arn}/`) || resource === `${arn}:*`),
      ).toBe(true);
    }
    const actions = actionsOf(boundary);
    expect(actions.filter((a) => /^(iam|organizations|account):/.test(a) || a === "*")).toEqual([]);
    expect(actions.filter((a) => a.startsWith("sts:"))).toEqual(["sts:AssumeRole"]);
    expect(boundary.every((s) => s.Effect === "Allow" && s.Condition === undefined)).toBe(true);
    const text = JSON.stringify(boundary);
    for (const other of inputs.environments.filter((e) => e.name !== "prod")) {
      for (const name of [
        other.names.stream,
        other.names.lakeBucket,
        other.names.siteBucket,
        other.names.ingestRole,
      ])
        expect(text).not.toContain(name);
    }
  });

  it("allows every action the environment's roles are granted, so capping them takes nothing away", () => {
    const kms = (key: string) => `arn:aws:kms:eu-west-1:500000000303:key/${key}`;
    const { ci, environment } = prodVariant([
      [["unity_catalog", "instance_profile"], true],
      [["stream", "kms_key_arn"], kms("1111aaaa-11aa-11aa-11aa-111111aaaaaa")],
      [["lake", "kms_key_arn"], kms("2222bbbb-22bb-22bb-22bb-222222bbbbbb")],
    ]);
    const { json } = synthStack(environment);
    const granted = Object.values<any>(json.resource.aws_iam_role_policy).flatMap((p) =>
      actionsOf(JSON.parse(p.policy).Statement),
    );
    expect(granted).toEqual(expect.arrayContaining(["kinesis:PutRecords", "kms:Decrypt", "sts:AssumeRole"]));
    const allowed = actionsOf(permissionsBoundaryPolicy(ci));
    expect(granted.filter((action) => !allowed.some((pattern) => actionMatches(pattern, action)))).toEqual(
      [],
    );
    expect(
      asList(permissionsBoundaryPolicy(ci).find((s) => s.Sid === "UseTheConfiguredKeys")!.Resource),
    ).toEqual(ci.kmsKeyArns);
  });

  it("is not made for an environment that does not ask for it", () => {
    const { ci } = prodVariant([[["aws", "permissions_boundary"], false]]);
    expect(ci.permissionsBoundary).toBeUndefined();
    const { accounts: without } = synthesized({ ...inputs, environments: [ci] });
    expect(without.get(ci.accountId)!.resource.aws_iam_policy).toBeUndefined();
  });
});

describe("the deploy role's IAM writes", () => {
  const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
  const prod = inputs.environments.find((e) => e.name === "prod")!;
  const boundaryArn = permissionsBoundaryArn(prod.accountId, prod.permissionsBoundary!);
  const statements = deployPolicy(inputs.state, prod);
  const allowsAny = (s: PolicyStatement, actions: readonly string[]) =>
    s.Effect === "Allow" && asList(s.Action).some((a) => actions.some((action) => actionMatches(a, action)));

  it("change what the environment's roles may do only on roles that carry the boundary (the guests': their own)", () => {
    const writers = statements.filter((s) => allowsAny(s, ROLE_PERMISSION_WRITES));
    expect(writers).toHaveLength(2);
    const role = (name: string) => `arn:aws:iam::${prod.accountId}:role/${name}`;
    expect(writers[0].Condition).toEqual({ StringEquals: { "iam:PermissionsBoundary": boundaryArn } });
    expect([...asList(writers[0].Action)].sort()).toEqual(ROLE_PERMISSION_WRITES);
    expect(asList(writers[0].Resource)).toEqual(
      [
        prod.names.ingestRole,
        prod.names.kinesisReaderRole,
        prod.names.lakeAccessRole,
        prod.names.computeRole,
      ].map(role),
    );
    expect(writers[1]).toMatchObject({
      Resource: role(prod.names.guestRole),
      Condition: {
        StringEquals: {
          "iam:PermissionsBoundary": permissionsBoundaryArn(prod.accountId, prod.names.guestBoundary),
        },
      },
    });
    expect([...asList(writers[1].Action)].sort()).toEqual(ROLE_PERMISSION_WRITES);
  });

  it("can neither take a boundary off a role nor change the boundary policy", () => {
    const denied = (action: string, resource: string) =>
      statements.some(
        (s) =>
          s.Effect === "Deny" &&
          s.Condition === undefined &&
          asList(s.Action).includes(action) &&
          asList(s.Resource).includes(resource),
      );
    expect(denied("iam:DeleteRolePermissionsBoundary", `arn:aws:iam::${prod.accountId}:role/*`)).toBe(true);
    for (const action of [
      "iam:CreatePolicyVersion",
      "iam:DeletePolicy",
      "iam:DeletePolicyVersion",
      "iam:SetDefaultPolicyVersion",
    ]) {
      expect(`${action}: ${denied(action, boundaryArn)}`).toBe(`${action}: true`);
    }
  });

  it("are the ones docs/delivery.md lists", () => {
    const docs = readFileSync(join(ROOT, "docs", "delivery.md"), "utf8");
    const iamActions = statements
      .filter(
        (s) => s.Condition?.StringEquals?.["iam:PermissionsBoundary"] || s.Sid === "LeaveTheBoundaryAlone",
      )
      .flatMap((s) => asList(s.Action));
    expect(iamActions.length).toBeGreaterThan(10);
    for (const action of [...iamActions, "iam:DeleteRolePermissionsBoundary"])
      expect(docs).toContain(`\`${action}\``);
  });

  it("without a boundary, are what they always were: unconditioned, and not denied", () => {
    const unbounded = deployPolicy(inputs.state, {
      ...prod,
      permissionsBoundary: undefined,
    } satisfies CiEnvironment);
    const writers = unbounded.filter((s) => allowsAny(s, ROLE_PERMISSION_WRITES));
    expect(writers.map((s) => s.Condition)).toEqual([undefined]);
    expect(actionsOf(writers)).toEqual(expect.arrayContaining(["iam:CreateRole", "iam:PutRolePolicy"]));
    expect(JSON.stringify(unbounded)).not.toContain("iam:PermissionsBoundary");
    expect(
      unbounded.filter((s) => s.Effect === "Deny" && JSON.stringify(s.Action).includes("Boundary")),
    ).toEqual([]);
    // The stack then makes the guest role's boundary itself, and may manage exactly that policy.
    expect(unbounded.find((s) => s.Sid === "ManageGuestBoundary")?.Resource).toBe(
      permissionsBoundaryArn(prod.accountId, prod.names.guestBoundary),
    );
  });
});

describe("bootstrap inputs", () => {
  it("uses GitHub's immutable subject when the repository's ids are given", () => {
    const repo = { owner: "seismo-platform", repository: "lakestack", ownerId: 17, repositoryId: 4242 };
    expect(githubSubject(repo, "prod")).toBe("repo:seismo-platform@17/lakestack@4242:environment:prod");
  });

  it("reuses an account's existing OIDC provider instead of creating a second one", () => {
    const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
    const [first] = inputs.environments;
    const { accounts } = synthesized({ ...inputs, existingOidcProviderAccounts: [first.accountId] });
    const stack = accounts.get(first.accountId)!;
    expect(stack.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(stack.output.oidcProviderArn.value).toBe(
      `arn:aws:iam::${first.accountId}:oidc-provider/token.actions.githubusercontent.com`,
    );
  });

  it("grants the state key when the state bucket uses KMS", () => {
    const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
    const kmsKeyArn = "arn:aws:kms:eu-west-1:500000000001:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const statements = stateAccessStatements({ ...inputs.state, kmsKeyArn }, inputs.environments[0], "plan");
    expect(statements).toContainEqual(expect.objectContaining({ Sid: "UseStateKey", Resource: kmsKeyArn }));
  });

  it("reports a bad settings file with its line", () => {
    const dir = scratchDir("bootstrap");
    try {
      const file = join(dir, "bootstrap.yaml");
      writeFileSync(
        file,
        'github:\n  owner: seismo-platform\n  repository: lakestack\n  owner_id: 17\nstate_account_id: "1"\n',
      );
      expect(() => loadBootstrapInputs(file, CONFIG_DIR)).toThrow(BootstrapInputError);
      let message = "";
      try {
        loadBootstrapInputs(file, CONFIG_DIR);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(`${file}:2: github: set both owner_id and repository_id`);
      expect(message).toContain(`${file}:5: state_account_id: 12 digits`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** IAM's StringLike: `*` matches any run of characters, `?` any one. */
const iamLike = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(value);

describe("the CI roles' trust, pinned to the workflow", () => {
  const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
  const prod = inputs.environments.find((e) => e.name === "prod")!;
  const admits = (kind: "plan" | "deploy", subject: string) => {
    const [statement] = githubTrustStatements(inputs.github, prod, kind);
    const equals = statement.Condition?.StringEquals?.["token.actions.githubusercontent.com:sub"];
    const like = statement.Condition?.StringLike?.["token.actions.githubusercontent.com:sub"];
    return equals !== undefined
      ? asList(equals).includes(subject)
      : asList(like).some((pattern) => iamLike(pattern, subject));
  };
  const subject = (environment: string, workflow: string, ref: string) =>
    `repo:seismo-platform/lakestack:environment:${environment}:job_workflow_ref:seismo-platform/lakestack/.github/workflows/${workflow}@${ref}`;

  it("gives the deploy role only to main's deploy.yml in the environment", () => {
    expect(admits("deploy", subject("prod", "deploy.yml", "refs/heads/main"))).toBe(true);
    expect(admits("deploy", subject("prod", "deploy.yml", "refs/heads/my-branch"))).toBe(false);
    expect(admits("deploy", subject("prod", "evil.yml", "refs/heads/main"))).toBe(false);
    // The subject GitHub sends before the repository setting: no workflow in it, so no role.
    expect(admits("deploy", "repo:seismo-platform/lakestack:environment:prod")).toBe(false);
  });

  it("gives the plan role to plan.yml in pull requests and drift.yml on main", () => {
    expect(admits("plan", subject("plan-prod", "plan.yml", "refs/pull/42/merge"))).toBe(true);
    expect(admits("plan", subject("plan-prod", "drift.yml", "refs/heads/main"))).toBe(true);
    expect(admits("plan", subject("plan-prod", "drift.yml", "refs/heads/my-branch"))).toBe(false);
    expect(admits("plan", subject("plan-prod", "deploy.yml", "refs/heads/main"))).toBe(false);
    expect(admits("plan", subject("prod", "plan.yml", "refs/pull/42/merge"))).toBe(false);
  });

  it("prints the one-time repository setting that puts the workflow into the subject", () => {
    const { state, accounts } = addBootstrapStacks(testApp(), inputs, {
      outDir: "bootstrap/cdktf.out",
      stateDir: "bootstrap",
    });
    const steps = nextSteps(inputs, { state, accounts }, "bootstrap/cdktf.out");
    expect(steps).toContain(oidcSubjectSetting(inputs.github));
    expect(oidcSubjectSetting(inputs.github)).toBe(
      "gh api --method PUT repos/seismo-platform/lakestack/actions/oidc/customization/sub --input - <<< " +
        `'{"use_default":false,"include_claim_keys":["repo","context","job_workflow_ref"]}'`,
    );
  });
});

describe("the guest boundary", () => {
  const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
  const { accounts } = synthesized(inputs);

  it("is a managed policy per environment that allows only putting records into its stream", () => {
    for (const env of inputs.environments) {
      const policies = Object.values<any>(accounts.get(env.accountId)!.resource.aws_iam_policy);
      const guest = policies.find((p) => p.name === env.names.guestBoundary);
      expect(JSON.parse(guest.policy).Statement).toEqual([
        {
          Sid: "PutRecords",
          Effect: "Allow",
          Action: ["kinesis:PutRecord", "kinesis:PutRecords"],
          Resource: `arn:aws:kinesis:${env.region}:${env.accountId}:stream/${env.names.stream}`,
        },
      ]);
    }
  });

  it("lets guests encrypt with the stream's own key, and with no other", () => {
    const key = "arn:aws:kms:eu-west-1:500000000303:key/1111aaaa-11aa-11aa-11aa-111111aaaaaa";
    const { ci } = prodVariant([
      [["stream", "kms_key_arn"], key],
      [["lake", "kms_key_arn"], key.replace("1111aaaa", "2222bbbb")],
    ]);
    expect(guestBoundaryPolicy(ci).filter((s) => asList(s.Action).some((a) => a.startsWith("kms:")))).toEqual(
      [{ Sid: "StreamKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: key }],
    );
  });

  it("cannot be changed by the deploy role", () => {
    const prod = inputs.environments.find((e) => e.name === "prod")!;
    const leave = deployPolicy(inputs.state, prod).find((s) => s.Sid === "LeaveTheBoundaryAlone")!;
    expect(leave.Effect).toBe("Deny");
    expect(asList(leave.Resource)).toContain(
      permissionsBoundaryArn(prod.accountId, prod.names.guestBoundary),
    );
  });
});

describe("the state key", () => {
  const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
  const administrators = [
    `arn:aws:iam::${inputs.state.accountId}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*`,
  ];
  const { state } = synthesized({ ...inputs, stateAdministrators: administrators });
  const key = state.resource.aws_kms_key.state_key;
  const keyPolicy = JSON.parse(key.policy).Statement as PolicyStatement[];
  const reading = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncrypt*", "kms:*"];

  it("is a rotating customer key the state bucket encrypts with by default, never destroyed by Terraform", () => {
    expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(state.resource.aws_kms_alias.state_key_alias.name).toBe(`alias/${inputs.state.bucket}`);
    expect(state.output.stateKeyArn.value).toBe("${aws_kms_key.state_key.arn}");
  });

  it("admits only the CI roles, as their kind needs, and the named administrators to its data", () => {
    const users = keyPolicy.filter((s) => asList(s.Action).some((a) => reading.includes(a)));
    const principals = users.map(
      (s) => s.Condition?.ArnEquals?.["aws:PrincipalArn"] ?? s.Condition?.ArnLike?.["aws:PrincipalArn"],
    );
    expect(principals).toEqual([
      ...inputs.environments.flatMap((env) => [ciRoleArn(env, "plan"), ciRoleArn(env, "deploy")]),
      administrators,
    ]);
    for (const env of inputs.environments) {
      const plan = users.find(
        (s) => s.Condition?.ArnEquals?.["aws:PrincipalArn"] === ciRoleArn(env, "plan"),
      )!;
      expect(asList(plan.Action).sort()).toEqual(["kms:Decrypt", "kms:DescribeKey"]);
    }
    // The account itself only administers the key: an S3 grant or an IAM kms:Decrypt on "*" reads nothing.
    const account = keyPolicy.find((s) => s.Sid === "AccountAdministratorsManageTheKey")!;
    expect(account.Condition).toBeUndefined();
    expect(
      asList(account.Action).filter((a) => reading.some((r) => actionMatches(a, r.replace("*", "")))),
    ).toEqual([]);
  });

  it("leaves out the administrators' statement when none are named", () => {
    const { state: plain } = synthesized(inputs);
    const statements = JSON.parse(plain.resource.aws_kms_key.state_key.policy).Statement as PolicyStatement[];
    expect(statements.map((s) => s.Sid)).not.toContain("NamedAdministratorsReadTheState");
  });

  it("refuses state writes that ask S3 for any other encryption", () => {
    const bucketPolicy = JSON.parse(Object.values<any>(state.resource.aws_s3_bucket_policy)[0].policy);
    expect(bucketPolicy.Statement).toContainEqual(stateEncryptionStatement(inputs.state));
  });

  it("is what the CI roles may use, through S3 for this bucket only", () => {
    const prod = inputs.environments.find((e) => e.name === "prod")!;
    for (const kind of ["plan", "deploy"] as const) {
      const use = stateAccessStatements(inputs.state, prod, kind).find((s) => s.Sid === "UseStateKey")!;
      expect(use).toMatchObject({
        Resource: `arn:aws:kms:${inputs.state.region}:${inputs.state.accountId}:key/*`,
        Condition: {
          StringEquals: {
            "kms:ViaService": `s3.${inputs.state.region}.amazonaws.com`,
            "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${inputs.state.bucket}`,
          },
        },
      });
      expect(asList(use.Action)).toEqual(
        kind === "plan" ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      );
    }
  });
});

describe("CI's roles and the alarms", () => {
  const inputs = loadBootstrapInputs(SETTINGS, CONFIG_DIR);
  const prod = inputs.environments.find((e) => e.name === "prod")!;

  it("let the deploy role manage exactly the environment's alarms and topic, and the plan role read them", () => {
    const alarms = ALARM_NAMES.map(
      (name) => `arn:aws:cloudwatch:${prod.region}:${prod.accountId}:alarm:seismo-prod-${name}`,
    );
    const topic = `arn:aws:sns:${prod.region}:${prod.accountId}:seismo-prod-alarms`;
    const deploy = grants(deployPolicy(inputs.state, prod));
    expect(deploy).toEqual(
      expect.arrayContaining([
        ["cloudwatch:PutMetricAlarm", alarms[0]],
        ["sns:*", topic],
      ]),
    );
    expect(
      deploy
        .filter(([action]) => action.startsWith("cloudwatch:"))
        .map(([, r]) => r)
        .every((r) => alarms.includes(r)),
    ).toBe(true);
    const plan = grants(planPolicy(inputs.state, prod));
    expect(plan).toEqual(
      expect.arrayContaining([
        ["cloudwatch:DescribeAlarms", alarms[0]],
        ["sns:GetTopicAttributes", topic],
      ]),
    );
  });
});
