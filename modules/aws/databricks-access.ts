import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Sleep } from "@cdktf/provider-time/lib/sleep";
import { Construct } from "constructs";
import type { EventStream } from "./event-stream";
import { policyDocument, serviceTrust, type PolicyStatement } from "./iam";

/**
 * The role Databricks' Unity Catalog assumes for every customer (standard AWS partition); each
 * credential is told apart by its external id. GovCloud uses a different one.
 */
export const UNITY_CATALOG_MASTER_ROLE =
  "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL";

/**
 * A role's ARN built from its parts. Unity Catalog credentials need the role ARN and the role's trust
 * needs the credential's external id: building the ARN instead of referencing the role breaks the cycle.
 */
export function iamRoleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/**
 * How long Databricks waits after IAM changed these roles. IAM is eventually consistent: Unity Catalog checks
 * the lake role against S3 as soon as the external location is created, and a continuous pipeline's first
 * update assumes the Kinesis role at once; seconds after the role was made, both can be refused
 * (terraform-provider-databricks#3069). Databricks' own Terraform examples wait 20 s; 30 s leaves a margin.
 */
export const IAM_PROPAGATION_WAIT = "30s";

export interface CredentialRole {
  readonly name: string;
  /** The Unity Catalog credential's external id (a reference to the credential). */
  readonly externalId: string;
}

export interface DatabricksAccessProps {
  readonly accountId: string;
  readonly stream: EventStream;
  readonly lakeBucketArn: string;
  /** @default - the lake uses SSE-S3 */
  readonly lakeKmsKeyArn?: string;
  /** Backs the service credential the pipeline reads Kinesis with. */
  readonly kinesisReader: CredentialRole;
  /** Backs the storage credential of the lake's external location. */
  readonly lakeAccess: CredentialRole;
  /** An instance profile for classic compute. @default - none */
  readonly computeRoleName?: string;
}

/** The IAM roles Databricks uses to reach the stream and the lake: no static keys anywhere. */
export class DatabricksAccess extends Construct {
  readonly kinesisReaderRole: IamRole;
  readonly kinesisReaderPolicy: IamRolePolicy;
  readonly lakeAccessRole: IamRole;
  readonly lakeAccessPolicy: IamRolePolicy;
  readonly instanceProfile?: IamInstanceProfile;
  /**
   * Ends {@link IAM_PROPAGATION_WAIT} after the roles and their policies were created or changed: whatever
   * Databricks validates against them (the external location, the pipeline, the instance profile) waits for it.
   */
  readonly propagated: Sleep;

  constructor(scope: Construct, id: string, props: DatabricksAccessProps) {
    super(scope, id);
    const { accountId } = props;

    this.kinesisReaderRole = new IamRole(this, "kinesis_reader_role", {
      name: props.kinesisReader.name,
      description: "Unity Catalog service credential: the events pipeline reads the stream with it.",
      assumeRolePolicy: unityCatalogTrust(accountId, props.kinesisReader),
    });
    this.kinesisReaderPolicy = new IamRolePolicy(this, "kinesis_reader_policy", {
      name: "read-event-stream",
      role: this.kinesisReaderRole.id,
      policy: policyDocument([
        ...props.stream.readStatements(),
        selfAssume(iamRoleArn(accountId, props.kinesisReader.name)),
      ]),
    });

    this.lakeAccessRole = new IamRole(this, "lake_access_role", {
      name: props.lakeAccess.name,
      description: "Unity Catalog storage credential: the catalog and external location on the lake bucket.",
      assumeRolePolicy: unityCatalogTrust(accountId, props.lakeAccess),
    });
    this.lakeAccessPolicy = new IamRolePolicy(this, "lake_access_policy", {
      name: "read-write-lake",
      role: this.lakeAccessRole.id,
      policy: policyDocument([
        ...lakeStatements(props.lakeBucketArn, props.lakeKmsKeyArn),
        selfAssume(iamRoleArn(accountId, props.lakeAccess.name)),
      ]),
    });

    const waitFor: Record<string, IamRole | IamRolePolicy> = {
      kinesis_reader: this.kinesisReaderRole,
      kinesis_reader_policy: this.kinesisReaderPolicy,
      lake_access: this.lakeAccessRole,
      lake_access_policy: this.lakeAccessPolicy,
    };
    if (props.computeRoleName) {
      const computeRole = new IamRole(this, "compute_role", {
        name: props.computeRoleName,
        description: "Classic Databricks compute: reads the stream and the lake.",
        assumeRolePolicy: serviceTrust("ec2.amazonaws.com"),
      });
      const computePolicy = new IamRolePolicy(this, "compute_policy", {
        name: "read-stream-and-lake",
        role: computeRole.id,
        policy: policyDocument([
          ...props.stream.readStatements(),
          ...lakeStatements(props.lakeBucketArn, props.lakeKmsKeyArn),
        ]),
      });
      this.instanceProfile = new IamInstanceProfile(this, "compute_instance_profile", {
        name: props.computeRoleName,
        role: computeRole.name,
      });
      waitFor.compute = computeRole;
      waitFor.compute_policy = computePolicy;
    }

    // A changed role or policy changes its trigger, which replaces the wait: the change is waited for too.
    this.propagated = new Sleep(this, "iam_propagation", {
      createDuration: IAM_PROPAGATION_WAIT,
      triggers: Object.fromEntries(
        Object.entries(waitFor).map(([key, resource]) => [key, propagationTrigger(resource)]),
      ),
    });
  }
}

/** What identifies a role's or a policy's content: a new value means IAM has something new to spread. */
function propagationTrigger(resource: IamRole | IamRolePolicy): string {
  return resource instanceof IamRole
    ? `${resource.arn} ${resource.assumeRolePolicy}`
    : `${resource.id} ${resource.policy}`;
}

/** Unity Catalog's master role with this credential's external id, plus the role assuming itself. */
function unityCatalogTrust(accountId: string, role: CredentialRole): string {
  const externalId = { "sts:ExternalId": role.externalId };
  return policyDocument([
    {
      Sid: "UnityCatalogAssumeRole",
      Effect: "Allow",
      Principal: { AWS: UNITY_CATALOG_MASTER_ROLE },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: externalId },
    },
    {
      Sid: "ExplicitSelfRoleAssumption",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: "sts:AssumeRole",
      Condition: {
        ArnLike: { "aws:PrincipalArn": iamRoleArn(accountId, role.name) },
        StringEquals: externalId,
      },
    },
  ]);
}

function selfAssume(roleArn: string): PolicyStatement {
  return { Sid: "AssumeItself", Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn };
}

/** What Unity Catalog needs on a bucket's objects and on the bucket (as Databricks documents), and nothing else. */
export const UNITY_CATALOG_OBJECT_ACTIONS = [
  "s3:AbortMultipartUpload",
  "s3:DeleteObject",
  "s3:GetObject",
  "s3:ListMultipartUploadParts",
  "s3:PutObject",
];
export const UNITY_CATALOG_BUCKET_ACTIONS = [
  "s3:GetBucketLocation",
  "s3:ListBucket",
  "s3:ListBucketMultipartUploads",
];

function lakeStatements(bucketArn: string, kmsKeyArn?: string): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      Sid: "LakeObjects",
      Effect: "Allow",
      Action: UNITY_CATALOG_OBJECT_ACTIONS,
      Resource: `${bucketArn}/*`,
    },
    {
      Sid: "LakeBucket",
      Effect: "Allow",
      Action: UNITY_CATALOG_BUCKET_ACTIONS,
      Resource: bucketArn,
    },
  ];
  if (kmsKeyArn) {
    statements.push({
      Sid: "LakeKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
      Resource: kmsKeyArn,
    });
  }
  return statements;
}
