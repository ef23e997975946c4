/**
 * Who is who in a workspace, for doctor:
 * - `GET /api/2.0/preview/scim/v2/Me`: the caller (`userName`: e-mail, or a service principal's
 *   application id) and its `groups` (`display`);
 * - `GET /api/2.0/preview/scim/v2/{Users|Groups|ServicePrincipals}?filter=<attribute> eq "<value>"`:
 *   `{ totalResults, Resources }`;
 * - `GET /api/2.1/unity-catalog/current-metastore-assignment`: `{ metastore_id }` (404 without one);
 *   `GET /api/2.1/unity-catalog/metastores/{id}`: its `owner` (the metastore admin);
 *   `GET /api/2.1/unity-catalog/effective-permissions/metastore/{id}`: `privilege_assignments[]` of
 *   `{ principal, privileges: [{ privilege }] }`;
 * - `GET /api/2.0/preview/accounts/access-control/rule-sets?name=accounts/<account>/servicePrincipals/
 *   <application id>/ruleSets/default&etag=`: `grant_rules[]` of `{ role, principals }`, principals as
 *   `users/<e-mail>`, `servicePrincipals/<application id>`, `groups/<name>`;
 * - `GET /api/2.0/sql/config/warehouses`: `enabled_warehouse_types[]` of `{ warehouse_type, enabled }`.
 */
import type { DatabricksClient } from "./client";

export interface Caller {
  readonly userName: string;
  readonly groups: readonly string[];
}

export type DirectoryKind = "Users" | "Groups" | "ServicePrincipals";

const FILTER_ATTRIBUTE: Record<DirectoryKind, string> = {
  Users: "userName",
  Groups: "displayName",
  ServicePrincipals: "applicationId",
};

export async function whoAmI(client: DatabricksClient): Promise<Caller> {
  const me = await client.get<{ userName?: string; groups?: Array<{ display?: string }> }>(
    "/api/2.0/preview/scim/v2/Me",
  );
  return {
    userName: me.userName ?? "",
    groups: (me.groups ?? []).map((g) => g.display ?? "").filter(Boolean),
  };
}

/** Whether the workspace knows this user, group or service principal. */
export async function exists(client: DatabricksClient, kind: DirectoryKind, name: string): Promise<boolean> {
  // SCIM filter strings quote with double quotes; a name holding one cannot be looked up.
  if (name.includes('"')) return false;
  const answer = await client.get<{ totalResults?: number; Resources?: unknown[] }>(
    `/api/2.0/preview/scim/v2/${kind}`,
    { filter: `${FILTER_ATTRIBUTE[kind]} eq "${name}"` },
  );
  return (answer.totalResults ?? answer.Resources?.length ?? 0) > 0;
}

export async function currentMetastore(client: DatabricksClient): Promise<string | undefined> {
  const answer = await client.get<{ metastore_id?: string }>(
    "/api/2.1/unity-catalog/current-metastore-assignment",
  );
  return answer.metastore_id;
}

export async function metastoreOwner(
  client: DatabricksClient,
  metastoreId: string,
): Promise<string | undefined> {
  const answer = await client.get<{ owner?: string }>(
    `/api/2.1/unity-catalog/metastores/${encodeURIComponent(metastoreId)}`,
  );
  return answer.owner;
}

/** Privileges on the metastore per principal, inherited ones included. */
export async function metastorePrivileges(
  client: DatabricksClient,
  metastoreId: string,
): Promise<Map<string, Set<string>>> {
  const answer = await client.get<{
    privilege_assignments?: Array<{ principal?: string; privileges?: Array<{ privilege?: string }> }>;
  }>(`/api/2.1/unity-catalog/effective-permissions/metastore/${encodeURIComponent(metastoreId)}`);
  const byPrincipal = new Map<string, Set<string>>();
  for (const assignment of answer.privilege_assignments ?? []) {
    const privileges = byPrincipal.get(assignment.principal ?? "") ?? new Set<string>();
    for (const p of assignment.privileges ?? []) if (p.privilege) privileges.add(p.privilege);
    byPrincipal.set(assignment.principal ?? "", privileges);
  }
  return byPrincipal;
}

/** Role → principals on a service principal, from the account's rule set (read through the workspace). */
export async function servicePrincipalRules(
  client: DatabricksClient,
  accountId: string,
  applicationId: string,
): Promise<Map<string, readonly string[]>> {
  const answer = await client.get<{ grant_rules?: Array<{ role?: string; principals?: string[] }> }>(
    "/api/2.0/preview/accounts/access-control/rule-sets",
    { name: `accounts/${accountId}/servicePrincipals/${applicationId}/ruleSets/default`, etag: "" },
  );
  return new Map((answer.grant_rules ?? []).map((rule) => [rule.role ?? "", rule.principals ?? []]));
}

/** Whether PRO warehouses (the only serverless kind) are enabled; undefined when the workspace does not say. */
export async function proWarehousesEnabled(client: DatabricksClient): Promise<boolean | undefined> {
  const answer = await client.get<{
    enabled_warehouse_types?: Array<{ warehouse_type?: string; enabled?: boolean }>;
  }>("/api/2.0/sql/config/warehouses");
  return answer.enabled_warehouse_types?.find((t) => t.warehouse_type === "PRO")?.enabled;
}
