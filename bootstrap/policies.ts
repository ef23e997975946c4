/**
 * The IAM documents of CI's roles, as objects: who may assume each role (GitHub OIDC, one GitHub
 * environment each) and what it may do. Pure functions of the bootstrap inputs.
 */
import { ALARM_NAMES } from "../modules/aws/alarms";
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

/**
 * The claims GitHub puts into the OIDC subject once the repository asks for them (a one-time setting,
 * `PUT /repos/{owner}/{repo}/actions/oidc/customization/sub`): the subject then also names the workflow
 * file and ref the job runs from, as `…:environment:<env>:job_workflow_ref:<owner>/<repo>/.github/
 * workflows/<file>@<ref>`. IAM cannot condition on job_workflow_ref by itself (AWS supports no custom
 * OIDC claims: https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws),
 * so the subject carries it.
 */
export const OIDC_SUBJECT_CLAIMS = ["repo", "context", "job_workflow_ref"] as const;

/** The workflows that may use each kind of role, and the refs they run from. */
const CI_WORKFLOWS: Record<CiRoleKind, readonly { readonly file: string; readonly ref: string }[]> = {
  // Deploys run only from main's deploy.yml: a branch's edited workflow never gets the deploy role,
  // even where the GitHub environment's branch rule was forgotten.
  deploy: [{ file: "deploy.yml", ref: "refs/heads/main" }],
  // Pull requests plan from their merge ref; the nightly drift check plans main.
  plan: [
    { file: "plan.yml", ref: "refs/pull/*/merge" },
    { file: "drift.yml", ref: "refs/heads/main" },
  ],
};

/** The `gh` command that makes GitHub send {@link OIDC_SUBJECT_CLAIMS} in every OIDC subject of the repository. */
export function oidcSubjectSetting(repo: GithubRepository): string {
  const body = JSON.stringify({ use_default: false, include_claim_keys: OIDC_SUBJECT_CLAIMS });
  return `gh api --method PUT repos/${repo.owner}/${repo.repository}/actions/oidc/customization/sub --input - <<< '${body}'`;
}

/**
 * Only jobs of this repository running in this one GitHub environment, from the workflows (and refs) its
 * kind of role is for, with AWS as the audience.
 */
export function githubTrustStatements(
  repo: GithubRepository,
  env: CiEnvironment,
  kind: CiRoleKind,
): PolicyStatement[] {
  const subjects = CI_WORKFLOWS[kind].map(
    ({ file, ref }) =>
      `${githubSubject(repo, githubEnvironment(env.name, kind))}:job_workflow_ref:` +
      `${repo.owner}/${repo.repository}/.github/workflows/${file}@${ref}`,
  );
  const audience = { [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE };
  const subject = { [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : subjects };
  return [
    {
      Sid: "GithubEnvironmentAndWorkflowOnly",
      Effect: "Allow",
      Principal: { Federated: oidcProviderArn(env.accountId) },
      Action: "sts:AssumeRoleWithWebIdentity",
      // A pull request's ref carries its number, so plan subjects need StringLike; deploys match exactly.
      Condition: subjects.some((s) => s.includes("*"))
        ? { StringEquals: audience, StringLike: subject }
        : { StringEquals: { ...audience, ...subject } },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// State: every role reads its environment's state and takes its lock; only deploy roles write state.

const bucketArn = (state: StateBucket) => `arn:aws:s3:::${state.bucket}`;
const objectArn = (state: StateBucket, key: string) => `${bucketArn(state)}/${key}`;

/** What each kind of role does with the state's key: plans only read the state. */
const STATE_KEY_ACTIONS: Record<CiRoleKind, readonly string[]> = {
  plan: ["kms:Decrypt"],
  deploy: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
};

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
  ];
  if (kind === "deploy") {
    // Terraform's S3-native locking (use_lockfile) writes and deletes <key>.tflock. Plans run with
    // -lock=false: pull-request code runs with the plan role, so it may not hold (or break) the lock.
    statements.push({
      Sid: "TakeStateLock",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: objectArn(state, lockFile),
    });
  }
  statements.push(
    state.kmsKeyArn
      ? { Sid: "UseStateKey", Effect: "Allow", Action: STATE_KEY_ACTIONS[kind], Resource: state.kmsKeyArn }
      : {
          // The bootstrap's own state key: its id is random, so the grant names the state account's keys,
          // through S3 for this bucket only; the key's policy admits exactly the CI roles.
          Sid: "UseStateKey",
          Effect: "Allow",
          Action: STATE_KEY_ACTIONS[kind],
          Resource: `arn:aws:kms:${state.region}:${state.accountId}:key/*`,
          Condition: {
            StringEquals: {
              "kms:ViaService": `s3.${state.region}.amazonaws.com`,
              "kms:EncryptionContext:aws:s3:arn": bucketArn(state),
            },
          },
        },
  );
  return statements;
}

/** The actions that manage a KMS key without using it: what the account's administrators keep. */
const KEY_ADMINISTRATION = [
  "kms:CancelKeyDeletion",
  "kms:Create*",
  "kms:Delete*",
  "kms:Describe*",
  "kms:Disable*",
  "kms:Enable*",
  "kms:Get*",
  "kms:List*",
  "kms:Put*",
  "kms:Revoke*",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:Update*",
];

/**
 * The state key's policy: the state account administers it (through IAM, so only its administrators
 * can), the CI roles use it as their kind needs, and only the named administrators may decrypt besides.
 * Nobody else in any account can read a state object, whatever their S3 permissions.
 */
export function stateKeyPolicy(
  state: StateBucket,
  environments: readonly CiEnvironment[],
  administrators: readonly string[],
): PolicyStatement[] {
  const root = (account: string) => `arn:aws:iam::${account}:root`;
  return [
    {
      Sid: "AccountAdministratorsManageTheKey",
      Effect: "Allow",
      Principal: { AWS: root(state.accountId) },
      Action: KEY_ADMINISTRATION,
      Resource: "*",
    },
    ...environments.flatMap((env) =>
      (["plan", "deploy"] as const).map((kind): PolicyStatement => ({
        Sid: `${pascal(kind)}Role${pascal(env.name)}UsesTheKey`,
        Effect: "Allow",
        Principal: { AWS: root(env.accountId) },
        Action: [...STATE_KEY_ACTIONS[kind], "kms:DescribeKey"],
        Resource: "*",
        Condition: { ArnEquals: { "aws:PrincipalArn": ciRoleArn(env, kind) } },
      })),
    ),
    ...(administrators.length > 0
      ? [
          {
            Sid: "NamedAdministratorsReadTheState",
            Effect: "Allow" as const,
            Principal: { AWS: root(state.accountId) },
            Action: [...STATE_KEY_ACTIONS.deploy, "kms:DescribeKey"],
            Resource: "*",
            Condition: { ArnLike: { "aws:PrincipalArn": administrators } },
          },
        ]
      : []),
  ];
}

/** State objects are written under the key: a client asking S3 for anything else is refused. */
export function stateEncryptionStatement(state: StateBucket): PolicyStatement {
  return {
    Sid: "DenyStateWithoutTheKey",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:PutObject",
    Resource: `${bucketArn(state)}/*`,
    Condition: {
      StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
      Null: { "s3:x-amz-server-side-encryption": "false" },
    },
  };
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
    .filter((statement) => !statement.Action.toString().startsWith("kms:"))
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
  const accessLogGroup = `arn:aws:logs:${region}:${account}:log-group:${names.ingestAccessLogGroup}`;
  const role = (name: string) => `arn:aws:iam::${account}:role/${name}`;
  const topic = `arn:aws:sns:${region}:${account}:${names.alarmTopic}`;
  return {
    stream,
    streams: [stream, `${stream}/*`],
    buckets: [`arn:aws:s3:::${names.siteBucket}`, `arn:aws:s3:::${names.lakeBucket}`],
    siteObjects: `arn:aws:s3:::${names.siteBucket}/*`,
    lakeObjects: `arn:aws:s3:::${names.lakeBucket}/*`,
    lakeMarkers: LAKE_PREFIXES.map((prefix) => `arn:aws:s3:::${names.lakeBucket}/${prefix}`),
    functions: [ingestFunction, `${ingestFunction}:*`],
    logGroups: [logGroup, `${logGroup}:*`],
    accessLogGroups: [accessLogGroup, `${accessLogGroup}:*`],
    alarmTopic: [topic, `${topic}:*`],
    alarms: ALARM_NAMES.map(
      (name) => `arn:aws:cloudwatch:${region}:${account}:alarm:${names.alarmPrefix}${name}`,
    ),
    guestBoundary: `arn:aws:iam::${account}:policy/${names.guestBoundary}`,
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
      Resource: [...r.logGroups, ...r.accessLogGroups],
    },
    {
      Sid: "ReadAlarmTopic",
      Effect: "Allow",
      Action: ["sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListTagsForResource"],
      Resource: r.alarmTopic,
    },
    {
      Sid: "ReadAlarms",
      Effect: "Allow",
      Action: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
      Resource: r.alarms,
    },
    {
      Sid: "ReadGuestBoundary",
      Effect: "Allow",
      Action: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags", "iam:ListPolicyVersions"],
      Resource: r.guestBoundary,
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

/**
 * The most the page's anonymous visitors may ever do: put records into the environment's stream (and
 * encrypt them, when the stream has its own key). The guest role carries this boundary, not the
 * environment's, which allows lake reads and writes.
 */
export function guestBoundaryPolicy(env: CiEnvironment): PolicyStatement[] {
  const r = resources(env);
  return [
    { Sid: "PutRecords", Effect: "Allow", Action: STREAM_WRITE_ACTIONS, Resource: r.stream },
    ...(env.streamKmsKeyArn
      ? [
          {
            Sid: "StreamKey",
            Effect: "Allow" as const,
            Action: "kms:GenerateDataKey",
            Resource: env.streamKmsKeyArn,
          },
        ]
      : []),
  ];
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
  const guestRole = `arn:aws:iam::${env.accountId}:role/${env.names.guestRole}`;
  const guestBoundary = permissionsBoundaryArn(env.accountId, env.names.guestBoundary);
  if (!env.permissionsBoundary) {
    // Without a boundary a deploy can grant the environment's roles anything: see docs/delivery.md.
    return [
      {
        Sid: "ManageEnvironmentRoles",
        Effect: "Allow",
        Action: [
          ...ROLE_UPKEEP,
          "iam:CreateRole",
          "iam:DeleteRolePolicy",
          "iam:PutRolePermissionsBoundary",
          "iam:PutRolePolicy",
        ].sort(),
        Resource: roles,
      },
      {
        // The stack makes the guest role's boundary itself when the bootstrap does not.
        Sid: "ManageGuestBoundary",
        Effect: "Allow",
        Action: [
          "iam:CreatePolicy",
          "iam:CreatePolicyVersion",
          "iam:DeletePolicy",
          "iam:DeletePolicyVersion",
          "iam:GetPolicy",
          "iam:GetPolicyVersion",
          "iam:ListPolicyTags",
          "iam:ListPolicyVersions",
          "iam:TagPolicy",
          "iam:UntagPolicy",
        ],
        Resource: guestBoundary,
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
      Resource: roles.filter((role) => role !== guestRole),
      Condition: { StringEquals: { "iam:PermissionsBoundary": boundary } },
    },
    {
      // The guest role, which anyone can assume, only within its own, narrower boundary.
      Sid: "ChangeTheGuestRoleWithinItsBoundary",
      Effect: "Allow",
      Action: ROLE_PERMISSION_WRITES,
      Resource: guestRole,
      Condition: { StringEquals: { "iam:PermissionsBoundary": guestBoundary } },
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
      Resource: [boundary, guestBoundary],
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
    {
      Sid: "ManageIngestLogs",
      Effect: "Allow",
      Action: "logs:*",
      Resource: [...r.logGroups, ...r.accessLogGroups],
    },
    { Sid: "FindLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: r.allLogGroups },
    {
      // Waiver: turning on an HTTP API's access logs takes these log-delivery calls, which have no
      // resource type (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html).
      Sid: "DeliverApiAccessLogs",
      Effect: "Allow",
      Action: [
        "logs:CreateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:DescribeResourcePolicies",
        "logs:GetLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:UpdateLogDelivery",
      ],
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": env.region } },
    },
    { Sid: "ManageAlarmTopic", Effect: "Allow", Action: "sns:*", Resource: r.alarmTopic },
    {
      Sid: "ManageAlarms",
      Effect: "Allow",
      Action: [
        "cloudwatch:DeleteAlarms",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:ListTagsForResource",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
      ],
      Resource: r.alarms,
    },
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
