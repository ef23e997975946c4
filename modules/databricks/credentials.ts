import { Credential } from "@cdktf/provider-databricks/lib/credential";
import { Grants } from "@cdktf/provider-databricks/lib/grants";
import { StorageCredential } from "@cdktf/provider-databricks/lib/storage-credential";
import { Construct } from "constructs";

export interface CredentialsProps {
  readonly serviceCredentialName: string;
  /** Role the service credential assumes to read Kinesis (a built ARN, not a reference). */
  readonly kinesisReaderRoleArn: string;
  readonly storageCredentialName: string;
  /** Role the storage credential assumes for the lake bucket (a built ARN, not a reference). */
  readonly lakeAccessRoleArn: string;
  /** Gets ACCESS on the service credential: who the pipeline runs as. @default - nobody beyond the owner */
  readonly pipelineRunAs?: string;
}

/**
 * Unity Catalog credentials: how Databricks reaches the stream and the lake without static keys. They
 * come first: each names its IAM role by a built ARN, and the roles then trust the credentials' external ids.
 */
export class Credentials extends Construct {
  readonly kinesis: Credential;
  readonly kinesisGrants?: Grants;
  readonly lake: StorageCredential;

  constructor(scope: Construct, id: string, props: CredentialsProps) {
    super(scope, id);
    this.kinesis = new Credential(this, "kinesis", {
      name: props.serviceCredentialName,
      purpose: "SERVICE",
      awsIamRole: { roleArn: props.kinesisReaderRoleArn },
      comment: "Reads the event stream for the events pipeline.",
    });
    if (props.pipelineRunAs) {
      this.kinesisGrants = new Grants(this, "kinesis_grants", {
        credential: this.kinesis.name,
        grant: [{ principal: props.pipelineRunAs, privileges: ["ACCESS"] }],
      });
    }
    this.lake = new StorageCredential(this, "lake", {
      name: props.storageCredentialName,
      awsIamRole: { roleArn: props.lakeAccessRoleArn },
      comment: "Reads and writes the data lake bucket.",
    });
  }
}
