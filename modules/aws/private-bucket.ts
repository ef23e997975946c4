import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { Construct } from "constructs";
import { policyDocument, type PolicyStatement } from "./iam";

export interface PrivateBucketProps {
  readonly bucketName: string;
  /** Let terraform delete a non-empty bucket (development only). @default false */
  readonly forceDestroy?: boolean;
  /** Customer-managed key. @default - SSE-S3 (AES256) */
  readonly kmsKeyArn?: string;
  /** Refuse terraform destroy of the bucket. @default false */
  readonly protect?: boolean;
  /** Statements the bucket policy holds besides the TLS-only deny. @default [] */
  readonly policyStatements?: (bucketArn: string) => PolicyStatement[];
}

export interface PrivateBucket {
  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioningA;
}

/**
 * A private, encrypted, versioned bucket reachable only over TLS. Its resources are added to `scope` with
 * ids `<prefix>bucket`, `<prefix>ownership`, … (not inside a construct of their own), so the Terraform
 * addresses of the buckets that use it stay what they were.
 */
export function privateBucket(scope: Construct, prefix: string, props: PrivateBucketProps): PrivateBucket {
  const bucket = new S3Bucket(scope, `${prefix}bucket`, {
    bucket: props.bucketName,
    forceDestroy: props.forceDestroy ?? false,
    lifecycle: props.protect ? { preventDestroy: true } : undefined,
  });
  // Objects other accounts' roles write belong to the bucket owner; ACLs are off.
  const ownership = new S3BucketOwnershipControls(scope, `${prefix}ownership`, {
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  const publicAccess = new S3BucketPublicAccessBlock(scope, `${prefix}public_access`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${prefix}encryption`, {
    bucket: bucket.id,
    rule: [
      {
        applyServerSideEncryptionByDefault: props.kmsKeyArn
          ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }
          : { sseAlgorithm: "AES256" },
        bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
      },
    ],
  });
  const versioning = new S3BucketVersioningA(scope, `${prefix}versioning`, {
    bucket: bucket.id,
    versioningConfiguration: { status: "Enabled" },
  });
  new S3BucketPolicy(scope, `${prefix}policy`, {
    bucket: bucket.id,
    // S3 rejects or races concurrent bucket-configuration calls; the policy goes last.
    dependsOn: [versioning, publicAccess, ownership],
    policy: policyDocument([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket.arn, `${bucket.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      ...(props.policyStatements?.(bucket.arn) ?? []),
    ]),
  });
  return { bucket, versioning };
}
