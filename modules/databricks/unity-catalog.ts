import { Catalog } from "@cdktf/provider-databricks/lib/catalog";
import { ExternalLocation } from "@cdktf/provider-databricks/lib/external-location";
import { Grants, type GrantsGrant } from "@cdktf/provider-databricks/lib/grants";
import { Schema } from "@cdktf/provider-databricks/lib/schema";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

export interface GrantEntry {
  readonly principal: string;
  readonly privileges: readonly string[];
}

export interface UnityCatalogProps {
  readonly externalLocationName: string;
  /** Name of the storage credential that reaches the lake bucket. */
  readonly storageCredentialName: string;
  readonly lakeBucketName: string;
  readonly catalogName: string;
  readonly schemaName: string;
  /**
   * The IAM role (and policy) behind the storage credential: Unity Catalog checks a location's access
   * when it is created, so they must exist first.
   */
  readonly lakeAccess: readonly ITerraformDependable[];
  /** @default [] */
  readonly catalogGrants?: readonly GrantEntry[];
  /** @default [] */
  readonly schemaGrants?: readonly GrantEntry[];
  /** Refuse terraform destroy of the catalog and schema (production). @default false */
  readonly protect?: boolean;
}

/** The environment's catalog, rooted on the lake bucket, its schema, and the grants YAML gives. */
export class UnityCatalog extends Construct {
  readonly externalLocation: ExternalLocation;
  readonly catalog: Catalog;
  readonly schema: Schema;

  constructor(scope: Construct, id: string, props: UnityCatalogProps) {
    super(scope, id);
    const protect = props.protect ? { preventDestroy: true } : undefined;
    this.externalLocation = new ExternalLocation(this, "lake_location", {
      name: props.externalLocationName,
      url: `s3://${props.lakeBucketName}/`,
      credentialName: props.storageCredentialName,
      comment: "The data lake bucket.",
      dependsOn: [...props.lakeAccess],
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
    // databricks_grants is authoritative: one resource per securable, listing every principal.
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
}

function sortedGrants(grants: readonly GrantEntry[]): GrantsGrant[] {
  return [...grants]
    .sort((a, b) => a.principal.localeCompare(b.principal))
    .map((g) => ({ principal: g.principal, privileges: [...g.privileges].sort() }));
}
