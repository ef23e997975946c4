/**
 * The bootstrap's stacks, each with local state (the bucket that would hold it is what they create):
 * `state` makes the Terraform state bucket; `github-<account>` makes GitHub's OIDC provider and each
 * environment's plan and deploy roles in that account.
 */
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { LocalBackend, TerraformElement, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct, Node } from "constructs";
import { join, relative, resolve } from "node:path";
import { policyDocument } from "../modules/aws/iam";
import { privateBucket } from "../modules/aws/private-bucket";
import { readableLogicalId } from "../stacks/addresses";
import { requireTerraformVersion } from "../stacks/terraform-version";
import {
  ciRoleArn,
  ciRoleName,
  CI_ROLE_PATH,
  deployPolicy,
  githubEnvironment,
  githubTrustStatements,
  GITHUB_OIDC_URL,
  guestBoundaryPolicy,
  oidcProviderArn,
  permissionsBoundaryPolicy,
  planPolicy,
  stateBucketGrants,
  stateEncryptionStatement,
  stateKeyPolicy,
  STS_AUDIENCE,
  type CiRoleKind,
} from "./policies";
import type { BootstrapInputs, CiEnvironment, GithubRepository, StateBucket } from "./settings";

export interface BootstrapStackOptions {
  /** Where the stacks are synthesized: the local state path is written relative to each stack's folder. */
  readonly outDir: string;
  /** Where the local state files live, outside the output folder that every synth replaces. */
  readonly stateDir: string;
}

/** Readable Terraform addresses, so a lost local state can be rebuilt with `terraform import`. */
abstract class BootstrapStack extends TerraformStack {
  constructor(scope: Construct, id: string, options: BootstrapStackOptions, account: string, region: string) {
    super(scope, id);
    new AwsProvider(this, "aws", {
      region,
      allowedAccountIds: [account],
      defaultTags: [{ tags: { "managed-by": "lakestack-bootstrap" } }],
    });
    const statePath = resolve(options.stateDir, `terraform.${id}.tfstate`);
    new LocalBackend(this, { path: relative(join(resolve(options.outDir), "stacks", id), statePath) });
    requireTerraformVersion(this);
  }

  protected allocateLogicalId(element: TerraformElement | Node): string {
    return readableLogicalId(element instanceof TerraformElement ? element.node : element, this);
  }
}

/**
 * The Terraform state bucket: versioned, encrypted, private, TLS-only, and never destroyed by Terraform.
 * The state holds secrets (a token recipient's activation link, for one), so unless config names a key
 * of its own (state.kms_key_arn) the bucket gets a KMS key whose policy admits only CI's roles and the
 * account's administrators: an S3 read grant alone reads nothing.
 */
export class StateBucketStack extends BootstrapStack {
  readonly bucket: S3Bucket;
  /** The key the bootstrap made, when config names none. */
  readonly key?: KmsKey;

  constructor(
    scope: Construct,
    id: string,
    props: {
      state: StateBucket;
      environments: readonly CiEnvironment[];
      /** @default [] */
      administrators?: readonly string[];
    },
    options: BootstrapStackOptions,
  ) {
    const { state } = props;
    super(scope, id, options, state.accountId, state.region);
    const kinds: CiRoleKind[] = ["plan", "deploy"];
    const key = state.kmsKeyArn
      ? undefined
      : new KmsKey(this, "state_key", {
          description: `lakestack: Terraform state in ${state.bucket}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: policyDocument(stateKeyPolicy(state, props.environments, props.administrators ?? [])),
          lifecycle: { preventDestroy: true },
        });
    if (key) new KmsAlias(this, "state_key_alias", { name: `alias/${state.bucket}`, targetKeyId: key.keyId });
    this.key = key;
    this.bucket = privateBucket(this, "state_", {
      bucketName: state.bucket,
      kmsKeyArn: state.kmsKeyArn ?? key?.arn,
      protect: true,
      policyStatements: () => [
        stateEncryptionStatement(state),
        ...props.environments.flatMap((env) => kinds.flatMap((kind) => stateBucketGrants(state, env, kind))),
      ],
    }).bucket;
    new TerraformOutput(this, "stateBucket", { value: this.bucket.bucket });
    if (key) new TerraformOutput(this, "stateKeyArn", { value: key.arn });
  }
}

/**
 * GitHub's OIDC provider and, per environment, a plan role, a deploy role and (with
 * `aws.permissions_boundary`) the boundary that caps the environment's own roles, in one AWS account.
 */
export class GithubAccessStack extends BootstrapStack {
  readonly roles: ReadonlyMap<string, IamRole>;

  constructor(
    scope: Construct,
    id: string,
    props: {
      accountId: string;
      github: GithubRepository;
      state: StateBucket;
      environments: readonly CiEnvironment[];
      createOidcProvider: boolean;
    },
    options: BootstrapStackOptions,
  ) {
    super(scope, id, options, props.accountId, props.environments[0].region);
    const provider = props.createOidcProvider
      ? new IamOpenidConnectProvider(this, "github_oidc", {
          url: GITHUB_OIDC_URL,
          clientIdList: [STS_AUDIENCE],
        })
      : undefined;
    const roles = new Map<string, IamRole>();
    for (const env of props.environments) {
      if (env.permissionsBoundary) {
        // Made here, with administrator rights, because the deploy role may never write them.
        new IamPolicy(this, `${env.name}_permissions_boundary`, {
          name: env.permissionsBoundary,
          path: "/",
          description: `lakestack: the most ${env.name}'s own IAM roles may do, whatever a deploy grants them`,
          policy: policyDocument(permissionsBoundaryPolicy(env)),
        });
        new IamPolicy(this, `${env.name}_guest_boundary`, {
          name: env.names.guestBoundary,
          path: "/",
          description: `lakestack: the most ${env.name}'s anonymous page visitors may do: put records`,
          policy: policyDocument(guestBoundaryPolicy(env)),
        });
      }
      const policies: Record<CiRoleKind, string> = {
        plan: policyDocument(planPolicy(props.state, env)),
        deploy: policyDocument(deployPolicy(props.state, env)),
      };
      for (const kind of ["plan", "deploy"] as const) {
        const role = new IamRole(this, `${env.name}_${kind}_role`, {
          name: ciRoleName(env, kind),
          path: CI_ROLE_PATH,
          description:
            kind === "plan"
              ? `lakestack CI: read-only plans of ${env.name} (GitHub environment ${githubEnvironment(env.name, kind)})`
              : `lakestack CI: deploys of ${env.name} (GitHub environment ${githubEnvironment(env.name, kind)})`,
          assumeRolePolicy: policyDocument(githubTrustStatements(props.github, env, kind)),
          dependsOn: provider ? [provider] : undefined,
        });
        new IamRolePolicy(this, `${env.name}_${kind}_policy`, {
          role: role.name,
          name: `lakestack-${kind}`,
          policy: policies[kind],
        });
        roles.set(`${env.name}:${kind}`, role);
      }
    }
    this.roles = roles;
    new TerraformOutput(this, "oidcProviderArn", {
      value: provider?.arn ?? oidcProviderArn(props.accountId),
    });
  }
}

export interface BootstrapStacks {
  readonly state: StateBucketStack;
  /** One per AWS account that holds an environment, keyed by account id. */
  readonly accounts: ReadonlyMap<string, GithubAccessStack>;
}

/** Adds every bootstrap stack to the app. */
export function addBootstrapStacks(
  scope: Construct,
  inputs: BootstrapInputs,
  options: BootstrapStackOptions,
): BootstrapStacks {
  const state = new StateBucketStack(
    scope,
    "state",
    { state: inputs.state, environments: inputs.environments, administrators: inputs.stateAdministrators },
    options,
  );
  const byAccount = new Map<string, CiEnvironment[]>();
  for (const env of inputs.environments)
    byAccount.set(env.accountId, [...(byAccount.get(env.accountId) ?? []), env]);
  const accounts = new Map<string, GithubAccessStack>();
  for (const [accountId, environments] of byAccount) {
    accounts.set(
      accountId,
      new GithubAccessStack(
        scope,
        `github-${accountId}`,
        {
          accountId,
          github: inputs.github,
          state: inputs.state,
          environments,
          createOidcProvider: !inputs.existingOidcProviderAccounts.includes(accountId),
        },
        options,
      ),
    );
  }
  return { state, accounts };
}

/** What to put into each GitHub environment's AWS_ROLE_ARN variable. */
export function githubRoleVariables(inputs: BootstrapInputs): { environment: string; roleArn: string }[] {
  return inputs.environments.flatMap((env) =>
    (["plan", "deploy"] as const).map((kind) => ({
      environment: githubEnvironment(env.name, kind),
      roleArn: ciRoleArn(env, kind),
    })),
  );
}
