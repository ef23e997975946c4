import { conditionKeys, principalsOf, statements, type Statement } from "../documents";
import { block, blocks, type SynthesizedResource } from "../resources";
import type { PolicyContext, Rule, Violation } from "../rule";

/** Permission policies attached to identities, wherever the provider lets them live. */
function identityPolicies(context: PolicyContext): { resource: string; document: unknown }[] {
  const { resources } = context;
  const standalone = ["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"]
    .flatMap((type) => resources.ofType(type))
    .map((r) => ({ resource: r.address, document: r.config.policy }));
  const inline = resources
    .ofType("aws_iam_role")
    .flatMap((role) =>
      blocks(role.config.inline_policy).map((p) => ({ resource: role.address, document: p.policy })),
    );
  return [...standalone, ...inline];
}

/** Allow statements of every identity policy; an unreadable document is itself a violation. */
function eachAllow(
  context: PolicyContext,
  check: (statement: Statement) => string | undefined,
  reportUnreadable: boolean,
): Violation[] {
  return identityPolicies(context).flatMap(({ resource, document }) => {
    const parsed = statements(document);
    if (!parsed) {
      return reportUnreadable
        ? [
            {
              resource,
              message: "has a policy lakestack cannot read: build policies as objects (policyDocument)",
            },
          ]
        : [];
    }
    return parsed
      .filter((s) => s.effect === "Allow")
      .map(check)
      .filter((m): m is string => m !== undefined)
      .map((message) => ({ resource, message }));
  });
}

const SERVICE_WIDE = /^[a-z0-9-]+:\*$/;

export const namedActions: Rule = {
  id: "LS-IAM-1",
  severity: "error",
  title: 'Allow statements name their actions: no "*", no service-wide "svc:*", no NotAction.',
  why: "A wildcard grants every action the service will ever add, including ones that delete data.",
  fix: "List the exact actions the principal calls, e.g. kinesis:PutRecord and kinesis:PutRecords.",
  check: (context) =>
    eachAllow(
      context,
      (s) => {
        const wide = s.actions.filter((a) => a === "*" || SERVICE_WIDE.test(a));
        if (wide.length) return `${label(s)} allows ${wide.map((a) => `"${a}"`).join(", ")}`;
        if (s.notActions.length) return `${label(s)} allows every action except ${s.notActions.join(", ")}`;
        return undefined;
      },
      true,
    ),
};

export const namedResources: Rule = {
  id: "LS-IAM-2",
  severity: "error",
  title: 'Allow statements name their resources: no "*" resource, no NotResource.',
  why: "A `*` resource extends the grant to every stream, bucket or key in the account, present and future.",
  fix: "Reference the resource's ARN (e.g. the stream's arn attribute); if the API has no resource, waive it with the reason.",
  check: (context) =>
    eachAllow(
      context,
      (s) => {
        if (s.resources.includes("*")) return `${label(s)} applies to every resource ("*")`;
        if (s.notResources.length)
          return `${label(s)} applies to every resource except ${s.notResources.join(", ")}`;
        return undefined;
      },
      false,
    ),
};

/** AWS-managed policies that grant administrator or identity-administration power. */
export const ADMIN_POLICIES = [
  "AdministratorAccess",
  "AdministratorAccess-Amplify",
  "AdministratorAccess-AWSElasticBeanstalk",
  "PowerUserAccess",
  "IAMFullAccess",
  "AWSOrganizationsFullAccess",
  "job-function/SystemAdministrator",
] as const;
const MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

export const noAdminPolicies: Rule = {
  id: "LS-IAM-3",
  severity: "error",
  title: `No AWS-managed administrator policy is attached: ${ADMIN_POLICIES.join(", ")}.`,
  why: "Whoever can use the identity can then do anything, including removing every other control.",
  fix: "Attach a policy that lists the actions and resources the identity needs.",
  check: ({ resources }) => {
    const attachments = [
      ...[
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_policy_attachment",
      ].flatMap((type) =>
        resources.ofType(type).map((r) => ({ resource: r.address, arns: [r.config.policy_arn] })),
      ),
      ...resources
        .ofType("aws_iam_role")
        .map((r) => ({ resource: r.address, arns: list(r.config.managed_policy_arns) })),
      ...resources
        .ofType("aws_iam_role_policy_attachments_exclusive")
        .map((r) => ({ resource: r.address, arns: list(r.config.policy_arns) })),
    ];
    return attachments.flatMap(({ resource, arns }) =>
      arns
        .map((arn) => (typeof arn === "string" ? MANAGED_POLICY.exec(arn)?.[1] : undefined))
        .filter((name): name is string => (ADMIN_POLICIES as readonly string[]).includes(name ?? ""))
        .map((name) => ({ resource, message: `attaches the AWS-managed ${name} policy` })),
    );
  },
};

const COGNITO = "cognito-identity.amazonaws.com";
const ACCOUNT_IN_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):/;

/** Why a trust statement lets in more than it should, if it does. */
function untrustedPrincipal(statement: Statement, ownAccount: string): string | undefined {
  const keys = conditionKeys(statement);
  for (const provider of principalsOf(statement, "Federated")) {
    // Without the audience any identity pool's (or any OIDC client's) users could assume the role.
    const constrains =
      provider === COGNITO ? (k: string) => k === `${COGNITO}:aud` : (k: string) => /:(aud|sub)$/.test(k);
    if (!keys.some(constrains)) {
      return `trusts federated ${provider} without a condition on ${provider === COGNITO ? `${COGNITO}:aud` : "its aud or sub claim"}`;
    }
  }
  for (const principal of principalsOf(statement, "AWS")) {
    const account = /^\d{12}$/.test(principal) ? principal : ACCOUNT_IN_ARN.exec(principal)?.[1];
    const outside = principal === "*" || account !== ownAccount;
    if (outside && keys.length === 0)
      return `trusts ${principal} from outside the account without a condition`;
  }
  return undefined;
}

export const conditionedTrust: Rule = {
  id: "LS-IAM-4",
  severity: "error",
  title:
    "Role trust policies put conditions on federated and cross-account principals (Cognito: the pool's aud; others: an external id or claim).",
  why: "Without them any identity pool, OIDC client or account trusted by the principal can assume the role.",
  fix: "Add a Condition: cognito-identity.amazonaws.com:aud for Cognito, sts:ExternalId or aws:PrincipalArn for other accounts.",
  check: (context) => {
    const ownAccount = context.environment.config.aws.account_id;
    return context.resources.ofType("aws_iam_role").flatMap((role) => {
      const parsed = statements(role.config.assume_role_policy);
      if (!parsed) return [{ resource: role.address, message: "has a trust policy lakestack cannot read" }];
      return parsed
        .filter((s) => s.effect === "Allow")
        .map((s) => untrustedPrincipal(s, ownAccount))
        .filter((m): m is string => m !== undefined)
        .map((message) => ({ resource: role.address, message }));
    });
  },
};

/** All a guest may do: put records into the stream, and encrypt them when the stream has its own key. */
const GUEST_ACTIONS: Readonly<Record<string, "stream" | "key">> = {
  "kinesis:putrecord": "stream",
  "kinesis:putrecords": "stream",
  "kms:generatedatakey": "key",
};

/** The roles anonymous visitors assume: the ones an identity pool hands to unauthenticated identities. */
function guestRoles(context: PolicyContext): SynthesizedResource[] {
  const { resources, environment } = context;
  const attached = resources
    .ofType("aws_cognito_identity_pool_roles_attachment")
    .map((a) => resources.referenced(block(a.config.roles)?.unauthenticated))
    .filter((r): r is SynthesizedResource => r?.type === "aws_iam_role");
  const named = resources.ofType("aws_iam_role").filter((r) => r.config.name === environment.names.guestRole);
  return [...new Set([...attached, ...named])];
}

/** What a guest statement allows beyond putting records into a stream of this stack, if anything. */
function beyondPutRecords(context: PolicyContext, statement: Statement): string | undefined {
  if (statement.notActions.length || statement.notResources.length) {
    return `${label(statement)} uses NotAction or NotResource`;
  }
  const streamKeys = context.resources
    .ofType("aws_kinesis_stream")
    .map((stream) => stream.config.kms_key_id)
    .filter((key): key is string => typeof key === "string" && key.startsWith("arn:"));
  for (const action of statement.actions) {
    const kind = GUEST_ACTIONS[action.toLowerCase()];
    if (!kind) return `${label(statement)} allows ${action}`;
    for (const resource of statement.resources) {
      const fits =
        kind === "stream"
          ? context.resources.referenced(resource)?.type === "aws_kinesis_stream" &&
            resource.endsWith(".arn}")
          : streamKeys.includes(resource);
      if (!fits) return `${label(statement)} allows ${action} on ${resource}`;
    }
  }
  return undefined;
}

function guestDocumentProblems(context: PolicyContext, document: unknown, where: string): string[] {
  const parsed = statements(document);
  if (!parsed) return [`${where} cannot be read`];
  return parsed
    .filter((s) => s.effect === "Allow")
    .map((s) => beyondPutRecords(context, s))
    .filter((m): m is string => m !== undefined)
    .map((m) => `${where}: ${m}`);
}

export const guestsOnlyPutRecords: Rule = {
  id: "LS-IAM-5",
  severity: "error",
  title:
    "The guest role (anonymous visitors of the page) may only kinesis:PutRecord(s) on the stream, by its policies and by a permissions boundary of its own.",
  why: "Anyone on the internet can become a guest: whatever the role or its boundary allows beyond writing records, anyone may do.",
  fix: "Keep the guest role's policy to the stream's writeStatements() and its boundary to the guest boundary (<project>-<environment>-guest-boundary); attach nothing else.",
  check: (context) =>
    guestRoles(context).flatMap((role) => {
      const { resources, environment } = context;
      const problems: string[] = [];
      const policies = [
        ...resources.attachedTo(role, "aws_iam_role_policy", "role", role.config.name),
        ...blocks(role.config.inline_policy).map((p) => ({ address: "inline_policy", config: p })),
      ];
      for (const p of policies) problems.push(...guestDocumentProblems(context, p.config.policy, p.address));
      const attachments = [
        ...resources.attachedTo(role, "aws_iam_role_policy_attachment", "role", role.config.name),
        ...list(role.config.managed_policy_arns),
      ];
      if (attachments.length) problems.push("has managed policies attached");
      const boundary = role.config.permissions_boundary;
      const own = resources.referenced(boundary);
      const bootstrap = `arn:aws:iam::${environment.config.aws.account_id}:policy/${environment.names.guestBoundary}`;
      if (boundary === undefined) problems.push("has no permissions boundary");
      else if (own?.type === "aws_iam_policy") {
        problems.push(...guestDocumentProblems(context, own.config.policy, `its boundary ${own.address}`));
      } else if (boundary !== bootstrap) {
        problems.push(`its boundary is ${String(boundary)}, not the guest boundary ${bootstrap}`);
      }
      return problems.map((message) => ({ resource: role.address, message }));
    }),
};

function label(statement: Statement): string {
  return statement.sid ? `statement ${statement.sid}` : "a statement";
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export const IAM_RULES: readonly Rule[] = [
  namedActions,
  namedResources,
  noAdminPolicies,
  conditionedTrust,
  guestsOnlyPutRecords,
];
