import type { PermissionsAccessControl } from "@cdktf/provider-databricks/lib/permissions";

/** Who a permission or run-as names: exactly one of the three. */
export interface Principal {
  readonly group?: string;
  readonly user?: string;
  readonly service_principal?: string;
}

export interface PermissionEntry extends Principal {
  readonly level: string;
}

/** YAML permission entries as Databricks access-control entries, sorted so list order never shows in a plan. */
export function accessControl(entries: readonly PermissionEntry[]): PermissionsAccessControl[] {
  return entries
    .map((e) => ({
      groupName: e.group,
      userName: e.user,
      servicePrincipalName: e.service_principal,
      permissionLevel: e.level,
    }))
    .sort((a, b) => principalKey(a).localeCompare(principalKey(b)));
}

function principalKey(a: PermissionsAccessControl): string {
  return `${a.groupName ?? ""}|${a.userName ?? ""}|${a.servicePrincipalName ?? ""}|${a.permissionLevel}`;
}

/** The run-as identity as Databricks' runAs blocks spell it. */
export function runAs(
  principal: Principal | undefined,
): { servicePrincipalName?: string; userName?: string } | undefined {
  if (!principal) return undefined;
  return { servicePrincipalName: principal.service_principal, userName: principal.user };
}

/** The name grants use for a run-as identity (application id or e-mail). */
export function grantPrincipal(principal: Principal | undefined): string | undefined {
  return principal?.service_principal ?? principal?.user;
}
