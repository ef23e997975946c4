import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { Construct } from "constructs";
import { privateBucket } from "./private-bucket";

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

/** The data lake: a private bucket whose old versions expire, with one prefix per refinement stage. */
export class DataLake extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    const { bucket, versioning } = privateBucket(this, "", props);
    this.bucket = bucket;
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
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
    for (const prefix of LAKE_PREFIXES) {
      new S3Object(this, `prefix_${prefix.replace("/", "")}`, {
        bucket: bucket.id,
        key: prefix,
        content: "",
        contentType: "application/x-directory",
        dependsOn: [versioning],
      });
    }
  }
}
