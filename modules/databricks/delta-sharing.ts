import { Grants } from "@cdktf/provider-databricks/lib/grants";
import { Recipient } from "@cdktf/provider-databricks/lib/recipient";
import { Share, type ShareObject } from "@cdktf/provider-databricks/lib/share";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

export interface SharedObject {
  /** Full name: `catalog.schema` for a schema, `catalog.schema.table` otherwise. */
  readonly name: string;
  readonly type: "SCHEMA" | "TABLE" | "STREAMING_TABLE" | "MATERIALIZED_VIEW" | "VIEW";
  /** @default false */
  readonly history?: boolean;
}

export interface ShareRecipient {
  readonly name: string;
  readonly auth: "token" | "databricks";
  /** Token recipients: where the token may be used from. */
  readonly ipAccessList?: readonly string[];
  /** Databricks recipients: the partner's global metastore id. */
  readonly metastoreId?: string;
  readonly comment?: string;
}

export interface DeltaSharingProps {
  readonly shareName: string;
  readonly objects: readonly SharedObject[];
  readonly recipients: readonly ShareRecipient[];
  /** Objects must exist when the share is applied (e.g. the schema the stack creates). @default [] */
  readonly dependsOn?: ITerraformDependable[];
  /** Refuse terraform destroy of the share and recipients: a new recipient means a new credential. @default false */
  readonly protect?: boolean;
}

/** A Delta Sharing share, its recipients, and SELECT on the share for each of them. */
export class DeltaSharing extends Construct {
  readonly share: Share;
  readonly recipients: ReadonlyMap<string, Recipient>;

  constructor(scope: Construct, id: string, props: DeltaSharingProps) {
    super(scope, id);
    const protect = props.protect ? { preventDestroy: true } : undefined;
    this.share = new Share(this, "share", {
      name: props.shareName,
      // An ordered list in the provider: sorted by name so reordering YAML never shows in a plan.
      object: [...props.objects].sort((a, b) => a.name.localeCompare(b.name)).map(shareObject),
      dependsOn: props.dependsOn,
      lifecycle: protect,
    });
    const recipients = new Map<string, Recipient>();
    for (const r of props.recipients) {
      recipients.set(
        r.name,
        new Recipient(this, `recipient_${r.name}`, {
          name: r.name,
          authenticationType: r.auth === "token" ? "TOKEN" : "DATABRICKS",
          ipAccessList: r.ipAccessList?.length ? { allowedIpAddresses: [...r.ipAccessList] } : undefined,
          dataRecipientGlobalMetastoreId: r.metastoreId,
          comment: r.comment,
          lifecycle: protect,
        }),
      );
    }
    this.recipients = recipients;
    if (recipients.size > 0) {
      // Authoritative for the share: one resource lists every recipient.
      new Grants(this, "share_grants", {
        share: this.share.name,
        grant: [...recipients.keys()]
          .sort()
          .map((name) => ({ principal: recipients.get(name)!.name, privileges: ["SELECT"] })),
      });
    }
  }

  /** A token recipient's one-time activation link (state holds it; outputs must mark it sensitive). */
  activationUrl(recipient: string): string {
    return this.recipients.get(recipient)!.tokens.get(0).activationUrl;
  }
}

function shareObject(o: SharedObject): ShareObject {
  return {
    name: o.name,
    dataObjectType: o.type,
    historyDataSharingStatus:
      o.type === "SCHEMA" || o.type === "VIEW" ? undefined : o.history ? "ENABLED" : "DISABLED",
  };
}
