/**
 * What the bootstrap needs to know: the GitHub repository (bootstrap.yaml) and, from config/, the state
 * bucket and every environment's account, region and resource names.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { dottedPath } from "../loader/diagnostics";
import { loadEnvironments } from "../loader/load";
import type { ResourceNames } from "../loader/naming";

const ACCOUNT_ID = /^\d{12}$/;

const settingsSchema = z.strictObject({
  github: z
    .strictObject({
      owner: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, "a GitHub user or organization name, e.g. seismo-platform"),
      repository: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "a GitHub repository name, e.g. lakestack"),
      owner_id: z.int().positive().optional(),
      repository_id: z.int().positive().optional(),
    })
    .refine((g) => (g.owner_id === undefined) === (g.repository_id === undefined), {
      message: "set both owner_id and repository_id (immutable OIDC subjects), or neither",
    }),
  state_account_id: z.string().regex(ACCOUNT_ID, '12 digits, quoted ("123456789012")'),
  existing_oidc_provider_accounts: z.array(z.string().regex(ACCOUNT_ID, "12-digit account ids")).default([]),
  state_administrators: z
    .array(
      z
        .string()
        .regex(
          /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/*-]+$/,
          "IAM role or user ARNs (wildcards allowed)",
        ),
    )
    .default([]),
});

export interface GithubRepository {
  readonly owner: string;
  readonly repository: string;
  /** Both set when the repository sends immutable ids in its OIDC subject. */
  readonly ownerId?: number;
  readonly repositoryId?: number;
}

export interface StateBucket {
  readonly bucket: string;
  readonly region: string;
  readonly accountId: string;
  readonly keyPrefix: string;
  /** @default - SSE-S3 */
  readonly kmsKeyArn?: string;
}

/** One environment as CI reaches it. */
export interface CiEnvironment {
  readonly name: string;
  readonly project: string;
  readonly accountId: string;
  readonly region: string;
  readonly names: ResourceNames;
  /** The environment's state object, `<key_prefix>/<env>.tfstate`, as the stack's S3 backend writes it. */
  readonly stateKey: string;
  /** Customer-managed keys its stream and lake use. */
  readonly kmsKeyArns: readonly string[];
  /** The stream's customer-managed key, which guests encrypt records with. @default - alias/aws/kinesis */
  readonly streamKmsKeyArn?: string;
  /**
   * The managed policy that caps the environment's IAM roles (`aws.permissions_boundary`), by name.
   * @default - none: the roles are uncapped
   */
  readonly permissionsBoundary?: string;
}

export interface BootstrapInputs {
  readonly github: GithubRepository;
  readonly state: StateBucket;
  readonly environments: readonly CiEnvironment[];
  /** Accounts whose GitHub OIDC provider already exists. */
  readonly existingOidcProviderAccounts: readonly string[];
  /**
   * Roles or users of the state account that may read the state besides CI (ARNs, wildcards allowed),
   * e.g. the administrators' SSO role for a recovery. @default [] (CI's roles only)
   */
  readonly stateAdministrators: readonly string[];
}

/** Bad bootstrap input, one problem a line, each with where to fix it. */
export class BootstrapInputError extends Error {}

function readSettings(file: string): z.infer<typeof settingsSchema> {
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    throw new BootstrapInputError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code})`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new BootstrapInputError(
      doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split("\n")[0]}`).join("\n"),
    );
  }
  const parsed = settingsSchema.safeParse(doc.toJS({ maxAliasCount: 16 }));
  if (parsed.success) return parsed.data;
  const line = (path: PropertyKey[]) => {
    for (let p = path; ; p = p.slice(0, -1)) {
      const node = p.length === 0 ? doc.contents : doc.getIn(p, true);
      const range = (node as { range?: [number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
      if (p.length === 0) return 1;
    }
  };
  throw new BootstrapInputError(
    parsed.error.issues
      .map((issue) => {
        const path = issue.path as PropertyKey[];
        return `${file}:${line(path)}: ${dottedPath(path) || "(file)"}: ${issue.message}`;
      })
      .join("\n"),
  );
}

/** The one state bucket every environment's backend points at; differing backends are an error. */
function sharedStateBucket(
  environments: ReturnType<typeof loadEnvironments>,
  accountId: string,
): StateBucket {
  const buckets = environments.map((env) => {
    const { state, aws } = env.config;
    if (state.backend !== "s3") {
      throw new BootstrapInputError(
        `${env.file}: state.backend is ${state.backend}: CI plans and deploys need the s3 backend`,
      );
    }
    return {
      bucket: state.bucket!,
      region: state.region ?? aws.region,
      accountId,
      keyPrefix: state.key_prefix,
      kmsKeyArn: state.kms_key_arn,
    };
  });
  const [first] = buckets;
  buckets.forEach((bucket, i) => {
    if (JSON.stringify(bucket) !== JSON.stringify(first)) {
      throw new BootstrapInputError(
        `${environments[i].file}: its state settings (bucket, region, key_prefix, kms_key_arn) differ from ` +
          `${environments[0].file}'s: the bootstrap creates one bucket, so set them once in base.yaml`,
      );
    }
  });
  return first;
}

export function loadBootstrapInputs(settingsFile: string, configDir: string): BootstrapInputs {
  const settings = readSettings(settingsFile);
  const environments = loadEnvironments(configDir);
  if (environments.length === 0) throw new BootstrapInputError(`${configDir} holds no environment files`);
  const state = sharedStateBucket(environments, settings.state_account_id);
  return {
    github: {
      owner: settings.github.owner,
      repository: settings.github.repository,
      ownerId: settings.github.owner_id,
      repositoryId: settings.github.repository_id,
    },
    state,
    environments: environments.map((env) => ({
      name: env.name,
      project: env.config.project,
      accountId: env.config.aws.account_id,
      region: env.config.aws.region,
      names: env.names,
      stateKey: `${state.keyPrefix}/${env.name}.tfstate`,
      kmsKeyArns: [env.config.stream.kms_key_arn, env.config.lake.kms_key_arn].filter(
        (arn): arn is string => arn !== undefined,
      ),
      streamKmsKeyArn: env.config.stream.kms_key_arn,
      permissionsBoundary: env.config.aws.permissions_boundary ? env.names.permissionsBoundary : undefined,
    })),
    existingOidcProviderAccounts: settings.existing_oidc_provider_accounts,
    stateAdministrators: settings.state_administrators,
  };
}
