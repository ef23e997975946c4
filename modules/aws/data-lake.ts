import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { Construct } from "constructs";
import { policyDocument } from "./iam";

/** The lake's top-level prefixes, one per refinement stage. */
export const LAKE_PREFIXES = ["raw/", "processed/", "curated/"] as const;

export interface DataLakeProps {
  readonly bucketName: string;
  /** @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Let terraform delete a non-empty bucket (development only). @default false */
  readonly forceDestroy?: boolean;
  /** Customer-managed key. @default - SSE-S3 (AES256) */
  readonly kmsKeyArn?: string;
  /** Refuse terraform destroy of the bucket (production). @default false */
  readonly protect?: boolean;
}

/** A private, encrypted, versioned bucket reachable only over TLS. */
export class DataLake extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
      lifecycle: props.protect ? { preventDestroy: true } : undefined,
    });
    const bucket = this.bucket.id;
    const ownership = new S3BucketOwnershipControls(this, "ownership", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "public_access", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: "AES256" },
          bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
        },
      ],
    });
    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      // Lifecycle rules on noncurrent versions need versioning in place first.
      dependsOn: [versioning],
      rule: [
        {
          id: "abort-incomplete-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 30 }],
        },
      ],
    });
    new S3BucketPolicy(this, "policy", {
      bucket,
      // S3 rejects or races concurrent bucket-configuration calls; serialize after the access settings.
      dependsOn: [publicAccess, ownership],
      policy: policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });
    for (const prefix of LAKE_PREFIXES) {
      new S3Object(this, `prefix_${prefix.replace("/", "")}`, {
        bucket,
        key: prefix,
        content: "",
        contentType: "application/x-directory",
        dependsOn: [versioning],
      });
    }
  }
}
