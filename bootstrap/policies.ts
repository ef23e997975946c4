/**
 * The IAM documents of CI's roles, as objects: who may assume each role (GitHub OIDC, one GitHub
 * environment each) and what it may do. Pure functions of the bootstrap inputs.
 */
import { UNITY_CATALOG_BUCKET_ACTIONS, UNITY_CATALOG_OBJECT_ACTIONS } from "../modules/aws/databricks-access";
import { STREAM_READ_ACTIONS, STREAM_WRITE_ACTIONS } from "../modules/aws/event-stream";
import { LAKE_PREFIXES } from "../modules/aws/data-lake";
import type { PolicyStatement } from "../modules/aws/iam";
import type { CiEnvironment, GithubRepository, StateBucket } from "./settings";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
export const STS_AUDIENCE = "sts.amazonaws.com";

/** CI's roles live under their own IAM path, out of reach of the deploy roles' IAM permissions. */
export const CI_ROLE_PATH = "/lakestack-ci/";

export type CiRoleKind = "plan" | "deploy";

/** The GitHub environment whose jobs may assume the role: `plan-<env>` for plans, `<env>` for deploys. */
export function githubEnvironment(env: string, kind: CiRoleKind): string {
  return kind === "plan" ? `plan-${env}` : env;
}

/**
 * The OIDC subject of a job that references a GitHub environment. GitHub puts the environment in the
 * subject whenever a job names one, so this is the only form these jobs can present.
 */
export function githubSubject(repo: GithubRepository, environment: string): string {
  const owner = repo.ownerId === undefined ? repo.owner : `${repo.owner}@${repo.ownerId}`;
  const name = repo.repositoryId === undefined ? repo.repository : `${repo.repository}@${repo.repositoryId}`;
  return `repo:${owner}/${name}:environment:${environment}`;
}

export function ciRoleName(env: CiEnvironment, kind: CiRoleKind): string {
  return `${env.project}-${env.name}-ci-${kind}`;
}

export function ciRoleArn(env: CiEnvironment, kind: CiRoleKind): string {
  return `arn:aws:iam::${env.accountId}:role${CI_ROLE_PATH}${ciRoleName(env, kind)}`;
}

export function oidcProviderArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

/** The environment's permissions boundary, at the path "/" the environment's stack names it by. */
export function permissionsBoundaryArn(accountId: string, policyName: string): string {
  return `arn:aws:iam::${accountId}:policy/${policyName}`;
}

/** Only jobs of this repository running in this one GitHub environment, with AWS as the audience. */
export function githubTrustStatements(
  repo: GithubRepository,
  env: CiEnvironment,
  kind: CiRoleKind,
): PolicyStatement[] {
  return [
    {
      Sid: "GithubEnvironmentOnly",
      Effect: "Allow",
      Principal: { Federated: oidcProviderArn(env.accountId) },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: githubSubject(repo, githubEnvironment(env.name, kind)),
        },
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// State: every role reads its environment's state and takes its lock; only deploy roles write state.

const bucketArn = (state: StateBucket) => `arn:aws:s3:::${state.bucket}`;
const objectArn = (state: StateBucket, key: string) => `${bucketArn(state)}/${key}`;

export function stateAccessStatements(
  state: StateBucket,
  env: CiEnvironment,
  kind: CiRoleKind,
): PolicyStatement[] {
  const lockFile = `${env.stateKey}.tflock`;
  const statements: PolicyStatement[] = [
    { Sid: "ListStateBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn(state) },
    {
      Sid: kind === "deploy" ? "ReadWriteState" : "ReadState",
      Effect: "Allow",
      Action: kind === "deploy" ? ["s3:GetObject", "s3:PutObject"] : "s3:GetObject",
      Resource: objectArn(state, env.stateKey),
    },
    {
      // Terraform's S3-native locking (use_lockfile) writes and deletes <key>.tflock, plans included.
      Sid: "TakeStateLock",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: objectArn(state, lockFile),
    },
  ];
  if (state.kmsKeyArn) {
    statements.push({
      Sid: "UseStateKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      Resource: state.kmsKeyArn,
    });
  }
  return statements;
}

/**
 * The state bucket's side of cross-account access: the same grants, for exactly these roles. The
 * account root as principal plus a PrincipalArn condition keeps the policy valid before the roles exist.
 */
export function stateBucketGrants(
  state: StateBucket,
  env: CiEnvironment,
  kind: CiRoleKind,
): PolicyStatement[] {
  return stateAccessStatements(state, env, kind)
    .filter((statement) => statement.Sid !== "UseStateKey")
    .map((statement) => ({
      ...statement,
      Sid: `${statement.Sid}${pascal(env.name)}${pascal(kind)}`,
      Principal: { AWS: `arn:aws:iam::${env.accountId}:root` },
      Condition: { ArnEquals: { "aws:PrincipalArn": ciRoleArn(env, kind) } },
    }));
}

function pascal(text: string): string {
  return text
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

// ---------------------------------------------------------------------------------------------------
// The environment's resources, by the exact names config/naming.ts derives.

function resources(env: CiEnvironment) {
  const { accountId: account, region, names } = env;
  const stream = `arn:aws:kinesis:${region}:${account}:stream/${names.stream}`;
  const ingestFunction = `arn:aws:lambda:${region}:${account}:function:${names.ingestFunction}`;
  const logGroup = `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${names.ingestFunction}`;
  const role = (name: string) => `arn:aws:iam::${account}:role/${name}`;
  return {
    stream,
    streams: [stream, `${stream}/*`],
    buckets: [`arn:aws:s3:::${names.siteBucket}`, `arn:aws:s3:::${names.lakeBucket}`],
    siteObjects: `arn:aws:s3:::${names.siteBucket}/*`,
    lakeObjects: `arn:aws:s3:::${names.lakeBucket}/*`,
    lakeMarkers: LAKE_PREFIXES.map((prefix) => `arn:aws:s3:::${names.lakeBucket}/${prefix}`),
    functions: [ingestFunction, `${ingestFunction}:*`],
    logGroups: [logGroup, `${logGroup}:*`],
    allLogGroups: `arn:aws:logs:${region}:${account}:log-group:*`,
    httpApis: [`arn:aws:apigateway:${region}::/apis`, `arn:aws:apigateway:${region}::/apis/*`],
    apiTags: `arn:aws:apigateway:${region}::/tags/*`,
    identityPools: `arn:aws:cognito-identity:${region}:${account}:identitypool/*`,
    distributions: `arn:aws:cloudfront::${account}:distribution/*`,
    roles: [
      names.guestRole,
      names.ingestRole,
      names.kinesisReaderRole,
      names.lakeAccessRole,
      names.computeRole,
    ].map(role),
    passedRoles: [names.guestRole, names.ingestRole, names.computeRole].map(role),
    instanceProfile: `arn:aws:iam::${account}:instance-profile/${names.computeRole}`,
  };
}

/**
 * Read-only, and blind to data: configuration reads Terraform's refresh needs, no Kinesis record reads,
 * no lake object reads (only the three empty prefix markers Terraform manages), no log events.
 */
export function planPolicy(state: StateBucket, env: CiEnvironment): PolicyStatement[] {
  const r = resources(env);
  return [
    {
      Sid: "DescribeEventStream",
      Effect: "Allow",
      Action: [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamConsumer",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
        "kinesis:ListStreamConsumers",
        "kinesis:ListTagsForResource",
        "kinesis:ListTagsForStream",
      ],
      Resource: r.streams,
    },
    {
      // s3:GetBucket* is bucket configuration only (ACL, CORS, policy, tags, versioning, website…);
      // object reads are s3:GetObject*, granted below for the page and the lake's markers only.
      Sid: "ReadBucketSettings",
      Effect: "Allow",
      Action: [
        "s3:GetBucket*",
        "s3:GetAccelerateConfiguration",
        "s3:GetEncryptionConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:ListBucket",
      ],
      Resource: r.buckets,
    },
    {
      Sid: "DescribePageDistribution",
      Effect: "Allow",
      Action: ["cloudfront:GetDistribution", "cloudfront:ListTagsForResource"],
      Resource: r.distributions,
    },
    {
      Sid: "ReadPageAndLakeMarkers",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectTagging"],
      Resource: [r.siteObjects, ...r.lakeMarkers],
    },
    {
      Sid: "DescribeIngestFunction",
      Effect: "Allow",
      Action: [
        "lambda:GetFunction*",
        "lambda:GetPolicy",
        "lambda:GetRuntimeManagementConfig",
        "lambda:ListTags",
        "lambda:ListVersionsByFunction",
      ],
      Resource: r.functions,
    },
    {
      Sid: "FindLogGroups",
      Effect: "Allow",
      Action: "logs:DescribeLogGroups",
      Resource: r.allLogGroups,
    },
    {
      Sid: "ReadLogGroupTags",
      Effect: "Allow",
      Action: ["logs:ListTagsForResource", "logs:ListTagsLogGroup"],
      Resource: r.logGroups,
    },
    { Sid: "ReadHttpApis", Effect: "Allow", Action: "apigateway:GET", Resource: [...r.httpApis, r.apiTags] },
    {
      Sid: "DescribeIdentityPools",
      Effect: "Allow",
      Action: [
        "cognito-identity:DescribeIdentityPool",
        "cognito-identity:GetIdentityPoolRoles",
        "cognito-identity:ListTagsForResource",
      ],
      Resource: r.identityPools,
    },
    {
      Sid: "ReadRoles",
      Effect: "Allow",
      Action: [
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:ListRolePolicies",
        "iam:ListRoleTags",
      ],
      Resource: r.roles,
    },
    {
      Sid: "ReadInstanceProfile",
      Effect: "Allow",
      Action: ["iam:GetInstanceProfile", "iam:ListInstanceProfileTags"],
      Resource: r.instanceProfile,
    },
    ...stateAccessStatements(state, env, "plan"),
  ];
}

/**
 * The most the environment's roles may ever do, whatever a deploy writes into their policies: what the
 * stacks grant them (put and read the stream, write the ingest function's logs, Unity Catalog's reads
 * and writes on the buckets, the configured keys, assuming one of the environment's own roles), on this
 * environment's resources only. Nothing in IAM, nothing on another environment's resources.
 */
export function permissionsBoundaryPolicy(env: CiEnvironment): PolicyStatement[] {
  const r = resources(env);
  const statements: PolicyStatement[] = [
    {
      Sid: "PutAndReadTheStream",
      Effect: "Allow",
      Action: [...STREAM_READ_ACTIONS, ...STREAM_WRITE_ACTIONS],
      Resource: r.stream,
    },
    {
      Sid: "WriteIngestLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: r.logGroups,
    },
    {
      Sid: "UseTheBuckets",
      Effect: "Allow",
      Action: UNITY_CATALOG_BUCKET_ACTIONS,
      Resource: r.buckets,
    },
    {
      Sid: "UseTheBucketsObjects",
      Effect: "Allow",
      Action: UNITY_CATALOG_OBJECT_ACTIONS,
      Resource: [r.siteObjects, r.lakeObjects],
    },
    {
      // Unity Catalog's credentials assume their own role.
      Sid: "AssumeTheEnvironmentsRoles",
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: r.roles,
    },
  ];
  if (env.kmsKeyArns.length > 0) {
    statements.push({
      Sid: "UseTheConfiguredKeys",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
      Resource: env.kmsKeyArns,
    });
  }
  return statements;
}

/** IAM actions that keep a role up to date without changing what it may do. */
const ROLE_UPKEEP = [
  "iam:DeleteRole",
  "iam:GetRole",
  "iam:GetRolePolicy",
  "iam:ListAttachedRolePolicies",
  "iam:ListInstanceProfilesForRole",
  "iam:ListRolePolicies",
  "iam:ListRoleTags",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
];

/** IAM writes that change what a role may do: with a boundary, all of them carry its condition. */
const ROLE_PERMISSION_WRITES = [
  "iam:AttachRolePolicy",
  "iam:CreateRole",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
];

/** With a boundary, permission writes only on roles that carry it; without one, as they always were. */
function environmentRoleStatements(env: CiEnvironment, roles: readonly string[]): PolicyStatement[] {
  if (!env.permissionsBoundary) {
    // Without a boundary a deploy can grant the environment's roles anything: see docs/delivery.md.
    return [
      {
        Sid: "ManageEnvironmentRoles",
        Effect: "Allow",
        Action: [...ROLE_UPKEEP, "iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePolicy"].sort(),
        Resource: roles,
      },
    ];
  }
  const boundary = permissionsBoundaryArn(env.accountId, env.permissionsBoundary);
  return [
    { Sid: "ManageEnvironmentRoles", Effect: "Allow", Action: ROLE_UPKEEP, Resource: roles },
    {
      // IAM checks the boundary the request sets (CreateRole, PutRolePermissionsBoundary) or the one
      // the role carries (the policy writes): no role without this boundary can be created or changed.
      Sid: "ChangeEnvironmentRolesWithinTheBoundary",
      Effect: "Allow",
      Action: ROLE_PERMISSION_WRITES,
      Resource: roles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": boundary } },
    },
    {
      Sid: "KeepEveryRolesBoundary",
      Effect: "Deny",
      Action: "iam:DeleteRolePermissionsBoundary",
      Resource: `arn:aws:iam::${env.accountId}:role/*`,
    },
    {
      Sid: "LeaveTheBoundaryAlone",
      Effect: "Deny",
      Action: [
        "iam:CreatePolicy",
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:TagPolicy",
        "iam:UntagPolicy",
      ],
      Resource: boundary,
    },
  ];
}

/**
 * Everything a deploy of this one environment creates, changes and deletes — and nothing else in the
 * account. Per service, all actions on the environment's own resources, named exactly; IAM by
 * named actions only, on the environment's own roles (within their permissions boundary when the
 * environment has one), and never on CI's roles.
 */
export function deployPolicy(state: StateBucket, env: CiEnvironment): PolicyStatement[] {
  const r = resources(env);
  const statements: PolicyStatement[] = [
    { Sid: "ManageEventStream", Effect: "Allow", Action: "kinesis:*", Resource: r.streams },
    {
      Sid: "ManageBuckets",
      Effect: "Allow",
      Action: "s3:*",
      Resource: [...r.buckets, r.siteObjects, r.lakeObjects],
    },
    { Sid: "ManageIngestFunction", Effect: "Allow", Action: "lambda:*", Resource: r.functions },
    { Sid: "ManageIngestLogs", Effect: "Allow", Action: "logs:*", Resource: r.logGroups },
    { Sid: "FindLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: r.allLogGroups },
    {
      // HTTP API ids are random: the account and region are the boundary (one account per environment).
      Sid: "ManageHttpApis",
      Effect: "Allow",
      Action: [
        "apigateway:DELETE",
        "apigateway:GET",
        "apigateway:PATCH",
        "apigateway:POST",
        "apigateway:PUT",
      ],
      Resource: [...r.httpApis, r.apiTags],
    },
    { Sid: "ManageIdentityPools", Effect: "Allow", Action: "cognito-identity:*", Resource: r.identityPools },
    // Distribution ids are random too: the account is the boundary.
    { Sid: "ManagePageDistribution", Effect: "Allow", Action: "cloudfront:*", Resource: r.distributions },
    {
      // Waiver: CreateIdentityPool has no resource type, so IAM accepts only "*"; held to the region.
      Sid: "CreateIdentityPool",
      Effect: "Allow",
      Action: "cognito-identity:CreateIdentityPool",
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": env.region } },
    },
    ...environmentRoleStatements(env, r.roles),
    {
      Sid: "ManageInstanceProfile",
      Effect: "Allow",
      Action: [
        "iam:AddRoleToInstanceProfile",
        "iam:CreateInstanceProfile",
        "iam:DeleteInstanceProfile",
        "iam:GetInstanceProfile",
        "iam:ListInstanceProfileTags",
        "iam:RemoveRoleFromInstanceProfile",
        "iam:TagInstanceProfile",
        "iam:UntagInstanceProfile",
      ],
      Resource: r.instanceProfile,
    },
    {
      Sid: "PassEnvironmentRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: r.passedRoles,
      Condition: {
        StringEquals: {
          "iam:PassedToService": [
            "cognito-identity.amazonaws.com",
            "ec2.amazonaws.com",
            "lambda.amazonaws.com",
          ],
        },
      },
    },
    {
      // CI's own roles and their trust are out of reach. The environment's roles are not: only a
      // permissions boundary keeps what a deploy grants them (and so itself, through PassRole) in bounds.
      Sid: "LeaveCiAccessAlone",
      Effect: "Deny",
      Action: "iam:*",
      Resource: [`arn:aws:iam::${env.accountId}:role${CI_ROLE_PATH}*`, oidcProviderArn(env.accountId)],
    },
    ...stateAccessStatements(state, env, "deploy"),
  ];
  if (env.kmsKeyArns.length > 0) {
    statements.push({
      Sid: "UseEnvironmentKeys",
      Effect: "Allow",
      Action: ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
      Resource: env.kmsKeyArns,
    });
  }
  return statements;
}
