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
   * The schema next to it where the pipeline puts records that break the event contract: apart from
   * the shared schema, so partners never see them. @default - none
   */
  readonly quarantineSchemaName?: string;
  /**
   * The IAM role (and policy) behind the storage credential, propagated: Unity Catalog checks a location's
   * access when it is created, so they must exist and be visible to S3 first.
   */
  readonly lakeAccess: readonly ITerraformDependable[];
  /** @default [] */
  readonly catalogGrants?: readonly GrantEntry[];
  /** @default [] */
  readonly schemaGrants?: readonly GrantEntry[];
  /**
   * Who the pipeline and jobs run as: they create and write the schema's tables, so this principal gets
   * what that takes, merged into the grants (which are authoritative). @default - the deploying identity,
   * which owns the catalog
   */
  readonly runAs?: string;
  /** Refuse terraform destroy of the catalog and schema (production). @default false */
  readonly protect?: boolean;
  /**
   * Let terraform destroy drop the catalog and schema with the tables in them (development): tables the
   * jobs create, such as device_max, would otherwise block the destroy. @default false
   */
  readonly forceDestroy?: boolean;
}

/** The environment's catalog, rooted on the lake bucket, its schema, and the grants YAML gives. */
export class UnityCatalog extends Construct {
  readonly externalLocation: ExternalLocation;
  readonly catalog: Catalog;
  readonly schema: Schema;
  readonly quarantineSchema?: Schema;
  /** The grant resources, for whatever must wait until they are in place. */
  readonly grants: readonly Grants[];

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
      forceDestroy: props.forceDestroy || undefined,
      dependsOn: [this.externalLocation],
      lifecycle: protect,
    });
    this.schema = new Schema(this, "schema", {
      catalogName: this.catalog.name,
      name: props.schemaName,
      comment: "Tables of the events pipeline and its jobs.",
      forceDestroy: props.forceDestroy || undefined,
      lifecycle: protect,
    });
    // databricks_grants is authoritative: one resource per securable, listing every principal.
    const runAs = (privileges: string[]) => (props.runAs ? [{ principal: props.runAs, privileges }] : []);
    const catalogGrants = mergedGrants([...(props.catalogGrants ?? []), ...runAs(RUN_AS_ON_CATALOG)]);
    const schemaGrants = mergedGrants([...(props.schemaGrants ?? []), ...runAs(RUN_AS_ON_SCHEMA)]);
    this.grants = [
      ...(catalogGrants.length
        ? [new Grants(this, "catalog_grants", { catalog: this.catalog.name, grant: catalogGrants })]
        : []),
      ...(schemaGrants.length
        ? [new Grants(this, "schema_grants", { schema: this.schema.id, grant: schemaGrants })]
        : []),
    ];
    if (props.quarantineSchemaName) {
      // Only the catalog's grants reach it (and the run-as identity, which writes it): schema-level
      // readers such as analysts, and the share of the main schema, do not.
      const quarantine = new Schema(this, "quarantine_schema", {
        catalogName: this.catalog.name,
        name: props.quarantineSchemaName,
        comment: "Records that break the event contract, with the reasons; never shared.",
        forceDestroy: props.forceDestroy || undefined,
        lifecycle: protect,
      });
      this.quarantineSchema = quarantine;
      const quarantineGrants = mergedGrants(runAs(RUN_AS_ON_SCHEMA));
      if (quarantineGrants.length) {
        this.grants = [
          ...this.grants,
          new Grants(this, "quarantine_schema_grants", { schema: quarantine.id, grant: quarantineGrants }),
        ];
      }
    }
  }
}

/** What the pipeline's and jobs' identity needs to publish and read the schema's tables and views. */
const RUN_AS_ON_CATALOG = ["USE_CATALOG"];
const RUN_AS_ON_SCHEMA = ["CREATE_MATERIALIZED_VIEW", "CREATE_TABLE", "MODIFY", "SELECT", "USE_SCHEMA"];

/** One entry per principal with the union of its privileges, sorted so list order never shows in a plan. */
function mergedGrants(grants: readonly GrantEntry[]): GrantsGrant[] {
  const byPrincipal = new Map<string, Set<string>>();
  for (const g of grants) {
    const privileges = byPrincipal.get(g.principal) ?? new Set<string>();
    g.privileges.forEach((p) => privileges.add(p));
    byPrincipal.set(g.principal, privileges);
  }
  return [...byPrincipal]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([principal, privileges]) => ({ principal, privileges: [...privileges].sort() }));
}
