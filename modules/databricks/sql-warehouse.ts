import { Permissions } from "@cdktf/provider-databricks/lib/permissions";
import { SqlEndpoint } from "@cdktf/provider-databricks/lib/sql-endpoint";
import { Construct } from "constructs";
import { accessControl, type PermissionEntry } from "./principals";

export interface SqlWarehouseProps {
  readonly name: string;
  /** @default "2X-Small" */
  readonly size?: string;
  /** Never 0: an idle warehouse would bill forever. @default 10 */
  readonly autoStopMinutes?: number;
  /** @default 1 */
  readonly minClusters?: number;
  /** @default 1 */
  readonly maxClusters?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly permissions?: readonly PermissionEntry[];
}

/** A serverless SQL warehouse for dashboards and ad-hoc queries over the seismograph tables. */
export class SqlWarehouse extends Construct {
  readonly warehouse: SqlEndpoint;

  constructor(scope: Construct, id: string, props: SqlWarehouseProps) {
    super(scope, id);
    const autoStopMinutes = props.autoStopMinutes ?? 10;
    if (autoStopMinutes < 1) throw new Error(`autoStopMinutes must be at least 1, got ${autoStopMinutes}`);
    const tags = Object.entries(props.tags ?? {}).sort(([a], [b]) => a.localeCompare(b));
    this.warehouse = new SqlEndpoint(this, "warehouse", {
      name: props.name,
      clusterSize: props.size ?? "2X-Small",
      // Both explicit: their defaults depend on the workspace's history, and serverless needs PRO.
      enableServerlessCompute: true,
      warehouseType: "PRO",
      autoStopMins: autoStopMinutes,
      minNumClusters: props.minClusters ?? 1,
      maxNumClusters: props.maxClusters ?? 1,
      channel: { name: "CHANNEL_NAME_CURRENT" },
      tags: tags.length ? { customTags: tags.map(([key, value]) => ({ key, value })) } : undefined,
    });
    if (props.permissions?.length) {
      new Permissions(this, "permissions", {
        sqlEndpointId: this.warehouse.id,
        accessControl: accessControl(props.permissions),
      });
    }
  }
}
