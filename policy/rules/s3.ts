import { isAnyone, statements, type Statement } from "../documents";
import { block, blocks, type SynthesizedResource } from "../resources";
import type { PolicyContext, Rule, Violation } from "../rule";

const BUCKET = "aws_s3_bucket";

/** Whether this bucket is the environment's declared public site (browser_ingest), the one public bucket. */
export function isDeclaredSite(context: PolicyContext, bucket: SynthesizedResource): boolean {
  const { config, names } = context.environment;
  return config.browser_ingest.enabled && bucket.config.bucket === names.siteBucket;
}

/** A bucket's companion resources (AWS provider v4+ splits a bucket's settings into separate resources). */
function companions(
  context: PolicyContext,
  bucket: SynthesizedResource,
  type: string,
): SynthesizedResource[] {
  return context.resources.attachedTo(bucket, type, "bucket", bucket.config.bucket);
}

/** The statements of the bucket's policies, or undefined when one cannot be read (rules then fail closed). */
function bucketPolicyStatements(
  context: PolicyContext,
  bucket: SynthesizedResource,
): Statement[] | undefined {
  const parsed = companions(context, bucket, "aws_s3_bucket_policy").map((p) => statements(p.config.policy));
  return parsed.every((s) => s !== undefined) ? parsed.flat() : undefined;
}

const UNREADABLE_POLICY =
  "has a bucket policy lakestack cannot read: build policies as objects (policyDocument)";

function eachBucket(check: (context: PolicyContext, bucket: SynthesizedResource) => string | undefined) {
  return (context: PolicyContext): Violation[] =>
    context.resources.ofType(BUCKET).flatMap((bucket) => {
      const message = check(context, bucket);
      return message ? [{ resource: bucket.address, message }] : [];
    });
}

const ACL_FLAGS = ["block_public_acls", "ignore_public_acls"] as const;
const POLICY_FLAGS = ["block_public_policy", "restrict_public_buckets"] as const;

export const publicAccessBlocked: Rule = {
  id: "LS-S3-1",
  severity: "error",
  title:
    "Every bucket has a public-access block with all four flags on; the declared site bucket may open only the two policy flags.",
  why: "Without it one ACL or policy edit makes the bucket public; ACLs must stay blocked even on the site.",
  fix: "Add an aws_s3_bucket_public_access_block for the bucket with block_public_acls, ignore_public_acls, block_public_policy and restrict_public_buckets true.",
  check: eachBucket((context, bucket) => {
    const accessBlocks = companions(context, bucket, "aws_s3_bucket_public_access_block");
    if (accessBlocks.length === 0) return "has no public-access block";
    const required = isDeclaredSite(context, bucket) ? ACL_FLAGS : [...ACL_FLAGS, ...POLICY_FLAGS];
    const open = required.filter((flag) => !accessBlocks.some((b) => b.config[flag] === true));
    return open.length ? `public-access block leaves ${open.join(", ")} off` : undefined;
  }),
};

const SSE_ALGORITHMS = new Set(["AES256", "aws:kms", "aws:kms:dsse"]);

export const encrypted: Rule = {
  id: "LS-S3-2",
  severity: "error",
  title: "Every bucket declares default server-side encryption.",
  why: "An explicit setting survives account defaults changing and documents which key protects the data.",
  fix: "Add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm AES256 or aws:kms.",
  check: eachBucket((context, bucket) => {
    const configured = [
      ...companions(context, bucket, "aws_s3_bucket_server_side_encryption_configuration"),
      bucket,
    ].flatMap((r) =>
      blocks(r.type === BUCKET ? block(r.config.server_side_encryption_configuration)?.rule : r.config.rule),
    );
    const algorithms = configured.map(
      (rule) => block(rule.apply_server_side_encryption_by_default)?.sse_algorithm,
    );
    return algorithms.some((a) => typeof a === "string" && SSE_ALGORITHMS.has(a))
      ? undefined
      : "has no default encryption";
  }),
};

/** A statement denying every S3 action to anyone when the request is not over TLS. */
function deniesInsecureTransport(statement: Statement): boolean {
  const secureTransport = statement.conditions.Bool?.["aws:SecureTransport"] ?? [];
  return (
    statement.effect === "Deny" &&
    isAnyone(statement) &&
    statement.actions.some((a) => a === "s3:*" || a === "*") &&
    secureTransport.includes("false")
  );
}

export const tlsOnly: Rule = {
  id: "LS-S3-3",
  severity: "error",
  title: "Every bucket's policy denies requests that do not use TLS (aws:SecureTransport).",
  why: "Plain HTTP exposes data and credentials in transit; S3 accepts it unless the policy refuses.",
  fix: 'Add a Deny statement for s3:* on the bucket and its objects with Condition {"Bool": {"aws:SecureTransport": "false"}}.',
  check: eachBucket((context, bucket) => {
    const policy = bucketPolicyStatements(context, bucket);
    if (!policy) return UNREADABLE_POLICY;
    const denials = policy.filter(deniesInsecureTransport);
    const covers = (objects: boolean) =>
      denials.some((s) => s.resources.some((r) => r === "*" || r.endsWith("/*") === objects));
    if (denials.length === 0) return "accepts requests without TLS: no policy statement denies them";
    return covers(false) && covers(true)
      ? undefined
      : "denies requests without TLS for only the bucket or only its objects";
  }),
};

export const versioned: Rule = {
  id: "LS-S3-4",
  severity: "error",
  title: "Every bucket except the declared site bucket keeps versioning enabled.",
  why: "Versions are what brings back an overwritten or deleted object; the site only holds build output.",
  fix: 'Add an aws_s3_bucket_versioning with versioning_configuration { status = "Enabled" }.',
  check: eachBucket((context, bucket) => {
    if (isDeclaredSite(context, bucket)) return undefined;
    const enabled =
      companions(context, bucket, "aws_s3_bucket_versioning").some(
        (v) => block(v.config.versioning_configuration)?.status === "Enabled",
      ) || block(bucket.config.versioning)?.enabled === true;
    return enabled ? undefined : "does not keep object versions";
  }),
};

const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);

export const notPublic: Rule = {
  id: "LS-S3-5",
  severity: "error",
  title: "No bucket policy allows anyone (Principal *) without a condition, and no ACL is public.",
  why: "A public bucket is readable by the whole internet; only a deliberate, recorded exception may be.",
  fix: "Name the principals that need access, or add a waiver that says why this bucket is public.",
  check: eachBucket((context, bucket) => {
    const policy = bucketPolicyStatements(context, bucket);
    if (!policy) return UNREADABLE_POLICY;
    const open = policy.filter(
      (s) => s.effect === "Allow" && isAnyone(s) && Object.keys(s.conditions).length === 0,
    );
    if (open.length > 0) {
      const actions = [...new Set(open.flatMap((s) => s.actions))].join(", ");
      return `bucket policy allows anyone ${actions}`;
    }
    const acl = companions(context, bucket, "aws_s3_bucket_acl")
      .map((a) => a.config.acl)
      .find((a) => typeof a === "string" && PUBLIC_ACLS.has(a));
    return acl ? `bucket ACL is ${String(acl)}` : undefined;
  }),
};

export const S3_RULES: readonly Rule[] = [publicAccessBlocked, encrypted, tlsOnly, versioned, notPublic];
