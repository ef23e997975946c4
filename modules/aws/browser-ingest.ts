import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CognitoIdentityPool } from "@cdktf/provider-aws/lib/cognito-identity-pool";
import { CognitoIdentityPoolRolesAttachment } from "@cdktf/provider-aws/lib/cognito-identity-pool-roles-attachment";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketWebsiteConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-website-configuration";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { withConnectSources } from "../../web/build";
import type { EventStream } from "./event-stream";
import { policyDocument } from "./iam";

/** AWS-managed CloudFront policies, by their fixed ids. */
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03";

/** One built file of the page, as it lands in the site bucket. */
export interface SiteFile {
  readonly key: string;
  readonly path: string;
  readonly contentType: string;
  readonly cacheControl: string;
}

export interface BrowserIngestProps {
  readonly stream: EventStream;
  /**
   * kinesis: visitors write to the stream as Cognito guests; http: the page posts to the HTTP ingest, and
   * there is no identity pool and no guest role. @default "kinesis"
   */
  readonly transport?: "kinesis" | "http";
  readonly identityPoolName: string;
  readonly guestRoleName: string;
  /** Name of the guest role's own permissions boundary. */
  readonly guestBoundaryName: string;
  /**
   * The guest boundary the CI bootstrap made (with `aws.permissions_boundary`), which a deploy cannot
   * change. @default - the stack creates the boundary itself, as an IAM policy named guestBoundaryName
   */
  readonly guestBoundaryArn?: string;
  readonly siteBucketName: string;
  /** The page's built files (index.html first or not: order does not matter). */
  readonly siteFiles: readonly SiteFile[];
  readonly region: string;
  /** Let terraform delete the bucket with its objects (development). @default false */
  readonly forceDestroy?: boolean;
}

/**
 * The seismograph page on a public S3 website behind CloudFront, and the Cognito guests it writes as.
 *
 * Browsers hand motion sensors and WebCrypto only to pages served over HTTPS, and S3 website endpoints
 * speak HTTP only: CloudFront serves the page over HTTPS with its default certificate.
 *
 * Guests use the basic (classic) flow: the enhanced flow scopes their credentials with an AWS-managed
 * session policy that has no Kinesis actions, so every PutRecords would be denied. Anyone can be a guest:
 * the guest role's policy and its own permissions boundary allow putting records into the stream and
 * nothing else, and the pipeline quarantines whatever breaks the event contract.
 */
export class BrowserIngest extends Construct {
  /** With transport kinesis only. */
  readonly identityPool?: CognitoIdentityPool;
  /** With transport kinesis only. */
  readonly guestRole?: IamRole;
  readonly siteBucket: S3Bucket;
  readonly website: S3BucketWebsiteConfiguration;
  readonly distribution: CloudfrontDistribution;
  private readonly props: BrowserIngestProps;

  constructor(scope: Construct, id: string, props: BrowserIngestProps) {
    super(scope, id);
    this.props = props;
    if ((props.transport ?? "kinesis") === "kinesis") {
      const identityPool = new CognitoIdentityPool(this, "identity_pool", {
        identityPoolName: props.identityPoolName,
        allowUnauthenticatedIdentities: true,
        allowClassicFlow: true,
      });
      this.identityPool = identityPool;
      this.guestRole = this.guests(identityPool);
    }

    this.siteBucket = new S3Bucket(this, "site_bucket", {
      bucket: props.siteBucketName,
      forceDestroy: props.forceDestroy ?? false,
    });
    const bucket = this.siteBucket.id;
    const ownership = new S3BucketOwnershipControls(this, "site_ownership", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    // Only the two policy flags open: the page is public through the bucket policy, never through ACLs.
    const publicAccess = new S3BucketPublicAccessBlock(this, "site_public_access", {
      bucket,
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "site_encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    this.website = new S3BucketWebsiteConfiguration(this, "site_website", {
      bucket,
      indexDocument: { suffix: "index.html" },
    });
    new S3BucketPolicy(this, "site_policy", {
      bucket,
      // PutBucketPolicy fails while the public-access block still blocks public policies.
      dependsOn: [publicAccess, ownership],
      policy: policyDocument([
        {
          Sid: "PublicReadOfThePage",
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: `${this.siteBucket.arn}/*`,
        },
      ]),
    });
    this.distribution = new CloudfrontDistribution(this, "site_distribution", {
      enabled: true,
      comment: `${props.siteBucketName}: the seismograph page over HTTPS`,
      defaultRootObject: "index.html",
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      priceClass: "PriceClass_100",
      origin: [
        {
          originId: "site",
          domainName: this.website.websiteEndpoint,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: "http-only",
            originSslProtocols: ["TLSv1.2"],
          },
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: "site",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        // Honours each object's Cache-Control: index.html and config.json are no-cache.
        cachePolicyId: CACHING_OPTIMIZED,
        responseHeadersPolicyId: SECURITY_HEADERS,
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      // With CloudFront's own certificate the TLS floor is CloudFront's: a minimum set here is ignored and
      // would show as a change in every plan. A custom domain with an ACM certificate can raise it.
      viewerCertificate: { cloudfrontDefaultCertificate: true },
    });
    for (const file of props.siteFiles.filter((f) => f.key !== INDEX_HTML)) {
      const asset = new TerraformAsset(this, `asset_${slug(file.key)}`, {
        path: file.path,
        type: AssetType.FILE,
      });
      new S3Object(this, `site_${slug(file.key)}`, {
        bucket,
        key: file.key,
        source: asset.path,
        // A content hash computed here: a changed file redeploys, an unchanged one never shows in a plan.
        sourceHash: createHash("md5").update(readFileSync(file.path)).digest("hex"),
        contentType: file.contentType,
        cacheControl: file.cacheControl,
      });
    }
  }

  /** The guest role anyone may assume through the pool: put records, within its own boundary. */
  private guests(identityPool: CognitoIdentityPool): IamRole {
    const { props } = this;
    const allowed = props.stream.writeStatements();
    const boundary =
      props.guestBoundaryArn ??
      new IamPolicy(this, "guest_boundary", {
        name: props.guestBoundaryName,
        description: "lakestack: the most the seismograph page's anonymous visitors may ever do",
        policy: policyDocument(allowed),
      }).arn;
    const role = new IamRole(this, "guest_role", {
      name: props.guestRoleName,
      description: "Anonymous visitors of the seismograph page: may only put records into the event stream.",
      permissionsBoundary: boundary,
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Federated: "cognito-identity.amazonaws.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "cognito-identity.amazonaws.com:aud": identityPool.id },
            "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" },
          },
        },
      ]),
    });
    new IamRolePolicy(this, "guest_put_records", {
      name: "put-records",
      role: role.id,
      policy: policyDocument(allowed),
    });
    new CognitoIdentityPoolRolesAttachment(this, "identity_pool_roles", {
      identityPoolId: identityPool.id,
      roles: { unauthenticated: role.arn },
    });
    return role;
  }

  /** The page's origin, for CORS. */
  get siteOrigin(): string {
    return `https://${this.distribution.domainName}`;
  }

  get siteUrl(): string {
    return `${this.siteOrigin}/`;
  }

  /**
   * The page's index.html and the runtime configuration it fetches, built by Terraform from resource
   * attributes: values are never templated into JavaScript, and the HTML only receives the exact origins
   * its Content-Security-Policy lets the page call.
   */
  publishPage(ingest: { readonly url: string; readonly origin: string } | undefined): void {
    const { props } = this;
    const guests = this.identityPool && this.guestRole;
    const regional = (service: string) => `https://${service}.${props.region}.amazonaws.com`;
    const connectSources = [
      ...(guests ? [regional("cognito-identity"), regional("sts"), regional("kinesis")] : []),
      ...(ingest ? [ingest.origin] : []),
    ];
    const index = props.siteFiles.find((f) => f.key === INDEX_HTML);
    if (index) {
      new S3Object(this, `site_${slug(index.key)}`, {
        bucket: this.siteBucket.id,
        key: index.key,
        content: withConnectSources(escapeTemplates(readFileSync(index.path, "utf8")), connectSources),
        contentType: index.contentType,
        cacheControl: index.cacheControl,
      });
    }
    new S3Object(this, "site_config", {
      bucket: this.siteBucket.id,
      key: "config.json",
      contentType: "application/json",
      cacheControl: "no-cache",
      content: Fn.jsonencode({
        region: props.region,
        streamName: props.stream.name,
        identityPoolId: this.identityPool?.id ?? null,
        guestRoleArn: this.guestRole?.arn ?? null,
        ingestUrl: ingest?.url ?? null,
        transport: guests ? "auto" : "http",
      }),
    });
  }
}

const INDEX_HTML = "index.html";

/** Terraform reads JSON strings as templates: literal text must not open one. */
function escapeTemplates(text: string): string {
  return text.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

function slug(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]+/g, "_");
}
