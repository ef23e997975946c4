import { Catalog } from "@cdktf/provider-databricks/lib/catalog";
import { Credential } from "@cdktf/provider-databricks/lib/credential";
import { ExternalLocation } from "@cdktf/provider-databricks/lib/external-location";
import { Grants, type GrantsGrant } from "@cdktf/provider-databricks/lib/grants";
import { Schema } from "@cdktf/provider-databricks/lib/schema";
import { StorageCredential } from "@cdktf/provider-databricks/lib/storage-credential";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

export interface GrantEntry {
  readonly principal: string;
  readonly privileges: readonly string[];
}

export interface UnityCatalogProps {
  readonly serviceCredentialName: string;
  /** Role the service credential assumes to read Kinesis (a built ARN, not a reference). */
  readonly kinesisReaderRoleArn: string;
  readonly storageCredentialName: string;
  /** Role the storage credential assumes for the lake bucket (a built ARN, not a reference). */
  readonly lakeAccessRoleArn: string;
  readonly externalLocationName: string;
  readonly lakeBucketName: string;
  readonly catalogName: string;
  readonly schemaName: string;
  /** @default [] */
  readonly catalogGrants?: readonly GrantEntry[];
  /** @default [] */
  readonly schemaGrants?: readonly GrantEntry[];
  /** Gets ACCESS on the service credential: who the pipeline runs as. @default - nobody beyond the owner */
  readonly pipelineRunAs?: string;
  /** Refuse terraform destroy of the catalog and schema (production). @default false */
  readonly protect?: boolean;
}

/** Unity Catalog for one environment: credentials without static keys, the lake's location, catalog and schema. */
export class UnityCatalog extends Construct {
  readonly serviceCredential: Credential;
  readonly serviceCredentialGrants?: Grants;
  readonly storageCredential: StorageCredential;
  readonly externalLocation: ExternalLocation;
  readonly catalog: Catalog;
  readonly schema: Schema;

  constructor(scope: Construct, id: string, props: UnityCatalogProps) {
    super(scope, id);
    const protect = props.protect ? { preventDestroy: true } : undefined;
    this.serviceCredential = new Credential(this, "kinesis_credential", {
      name: props.serviceCredentialName,
      purpose: "SERVICE",
      awsIamRole: { roleArn: props.kinesisReaderRoleArn },
      comment: "Reads the event stream for the events pipeline.",
    });
    if (props.pipelineRunAs) {
      this.serviceCredentialGrants = new Grants(this, "kinesis_credential_grants", {
        credential: this.serviceCredential.name,
        grant: [{ principal: props.pipelineRunAs, privileges: ["ACCESS"] }],
      });
    }
    this.storageCredential = new StorageCredential(this, "lake_credential", {
      name: props.storageCredentialName,
      awsIamRole: { roleArn: props.lakeAccessRoleArn },
      comment: "Reads and writes the data lake bucket.",
    });
    this.externalLocation = new ExternalLocation(this, "lake_location", {
      name: props.externalLocationName,
      url: `s3://${props.lakeBucketName}/`,
      credentialName: this.storageCredential.name,
      comment: "The data lake bucket.",
    });
    this.catalog = new Catalog(this, "catalog", {
      name: props.catalogName,
      storageRoot: `s3://${props.lakeBucketName}/curated/`,
      comment: "Seismograph events, managed by lakestack.",
      dependsOn: [this.externalLocation],
      lifecycle: protect,
    });
    this.schema = new Schema(this, "schema", {
      catalogName: this.catalog.name,
      name: props.schemaName,
      comment: "Tables of the events pipeline and its jobs.",
      lifecycle: protect,
    });
    if (props.catalogGrants?.length) {
      new Grants(this, "catalog_grants", {
        catalog: this.catalog.name,
        grant: sortedGrants(props.catalogGrants),
      });
    }
    if (props.schemaGrants?.length) {
      new Grants(this, "schema_grants", { schema: this.schema.id, grant: sortedGrants(props.schemaGrants) });
    }
  }

  /**
   * Unity Catalog checks a location's access when it is created: the IAM roles behind the credentials must
   * exist first, yet the roles' trust needs the credentials' external ids. Credentials → roles → location.
   */
  waitForRoles(...roles: ITerraformDependable[]): void {
    for (const role of roles)
      this.externalLocation.dependsOn = [...(this.externalLocation.dependsOn ?? []), role.fqn];
  }
}

function sortedGrants(grants: readonly GrantEntry[]): GrantsGrant[] {
  return [...grants]
    .sort((a, b) => a.principal.localeCompare(b.principal))
    .map((g) => ({ principal: g.principal, privileges: [...g.privileges].sort() }));
}
