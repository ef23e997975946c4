/**
 * The prerequisites a first deploy of an environment needs and cannot create itself, each checked with
 * the caller's own credentials where an API can tell, each failure saying what is missing and who can fix
 * it. Nothing here changes anything.
 */
import type { DatabricksClient } from "../databricks-api/client";
import {
  currentMetastore,
  exists,
  metastoreOwner,
  metastorePrivileges,
  proWarehousesEnabled,
  servicePrincipalRules,
  whoAmI,
  type Caller,
  type DirectoryKind,
} from "../databricks-api/identity";
import type { Environment } from "../loader/load";
import { REQUIRED_TERRAFORM_VERSION } from "../stacks/terraform-version";
import { principalKind, type PrincipalKind } from "../loader/schema";

export type CheckStatus = "ok" | "missing" | "unknown";

export interface Check {
  readonly status: CheckStatus;
  /** What was checked, e.g. "group seismo-analysts". */
  readonly subject: string;
  /** What was found, or what is missing and how to get it. */
  readonly detail: string;
}

/** Lambda's concurrency figures for the account and region, and what the function reserves today. */
export interface LambdaConcurrency {
  readonly accountLimit: number;
  readonly unreserved: number;
  /** The ingest function's current reservation (0 when it has none or does not exist yet). */
  readonly currentReservation: number;
}

export interface DoctorDependencies {
  readonly environment: Environment;
  readonly client: DatabricksClient;
  /** The Databricks account id, for the service principal role check. @default not checked */
  readonly accountId?: string;
  /** `terraform version`, e.g. "1.10.5"; throws with a message when there is none. */
  readonly terraformVersion: () => Promise<string>;
  /** `aws lambda get-account-settings` and the function's concurrency; throws when AWS cannot be asked. */
  readonly lambdaConcurrency: (functionName: string) => Promise<LambdaConcurrency>;
}

/** Unity Catalog privileges the deploying identity needs on the metastore to create the stack's objects. */
function neededMetastorePrivileges(environment: Environment): string[] {
  const { sharing } = environment.config;
  return [
    "CREATE_CATALOG",
    "CREATE_EXTERNAL_LOCATION",
    "CREATE_SERVICE_CREDENTIAL",
    "CREATE_STORAGE_CREDENTIAL",
    ...(sharing.enabled ? ["CREATE_SHARE"] : []),
    ...(sharing.enabled && Object.keys(sharing.recipients).length > 0 ? ["CREATE_RECIPIENT"] : []),
  ];
}

/** Directory kinds by the principal kinds the config resolves (loader/schema.ts `principalKind`). */
const DIRECTORY: Record<PrincipalKind, DirectoryKind> = {
  group: "Groups",
  user: "Users",
  service_principal: "ServicePrincipals",
};

/** Every principal the config names, with the keys that name it. */
function namedPrincipals(environment: Environment): Map<string, { kind: DirectoryKind; where: Set<string> }> {
  const { config } = environment;
  const found = new Map<string, { kind: DirectoryKind; where: Set<string> }>();
  const add = (name: string, kind: DirectoryKind, where: string) => {
    const entry = found.get(name) ?? { kind, where: new Set<string>() };
    entry.where.add(where);
    found.set(name, entry);
  };
  for (const key of ["catalog_grants", "schema_grants"] as const) {
    for (const principal of Object.keys(config.unity_catalog[key])) {
      add(principal, DIRECTORY[principalKind(principal)], `unity_catalog.${key}`);
    }
  }
  const permissions: Array<[string, Readonly<Record<string, { readonly kind: PrincipalKind }>>]> = [
    ["pipeline.permissions", config.pipeline.permissions],
    ["warehouse.permissions", config.warehouse.permissions],
    ...Object.entries(config.jobs).map(([key, job]): [string, Record<string, { kind: PrincipalKind }>] => [
      `jobs.${key}.permissions`,
      job.permissions,
    ]),
  ];
  for (const [where, map] of permissions) {
    for (const [principal, p] of Object.entries(map)) add(principal, DIRECTORY[p.kind], where);
  }
  const runAs = config.databricks.run_as;
  if (runAs?.service_principal) add(runAs.service_principal, "ServicePrincipals", "databricks.run_as");
  if (runAs?.user) add(runAs.user, "Users", "databricks.run_as");
  return found;
}

const NOUN: Record<DirectoryKind, string> = {
  Users: "user",
  Groups: "group",
  ServicePrincipals: "service principal",
};

/** Runs one check; an API that refuses or fails makes it unknown, with its message. */
async function attempt(subject: string, check: () => Promise<Check>): Promise<Check> {
  try {
    return await check();
  } catch (error) {
    return { status: "unknown", subject, detail: `could not check: ${(error as Error).message}` };
  }
}

/** The stacks' `required_version`, as numbers: [1, 10, 0]. */
const REQUIRED_TERRAFORM = REQUIRED_TERRAFORM_VERSION.match(/\d+/g)!.map(Number);

function atLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split(".").map(Number);
  for (let i = 0; i < minimum.length; i++) {
    if ((parts[i] ?? 0) !== minimum[i]) return (parts[i] ?? 0) > minimum[i];
  }
  return true;
}

async function terraformCheck(deps: DoctorDependencies): Promise<Check> {
  const subject = "terraform";
  try {
    const version = await deps.terraformVersion();
    return atLeast(version, REQUIRED_TERRAFORM)
      ? { status: "ok", subject, detail: `${version} (1.10 or newer)` }
      : {
          status: "missing",
          subject,
          detail: `${version} is too old: S3-native state locking needs 1.10 or newer`,
        };
  } catch (error) {
    return { status: "missing", subject, detail: (error as Error).message };
  }
}

function principalChecks(deps: DoctorDependencies): Array<Promise<Check>> {
  return [...namedPrincipals(deps.environment)].map(([name, { kind, where }]) => {
    const subject = `${NOUN[kind]} ${name}`;
    return attempt(subject, async () =>
      (await exists(deps.client, kind, name))
        ? { status: "ok", subject, detail: `exists (${[...where].join(", ")})` }
        : {
            status: "missing",
            subject,
            detail:
              `not in the workspace, but ${[...where].join(", ")} name${where.size === 1 ? "s" : ""} it: ` +
              `add the ${NOUN[kind]} to the workspace (an account admin can), or fix the name`,
          },
    );
  });
}

/** Setting run_as to a service principal takes its servicePrincipal.user role; to another user, admin. */
async function runAsCheck(deps: DoctorDependencies, me: Caller): Promise<Check | undefined> {
  const runAs = deps.environment.config.databricks.run_as;
  if (runAs?.user) {
    const subject = `run as ${runAs.user}`;
    if (runAs.user === me.userName) return { status: "ok", subject, detail: "that is you" };
    return me.groups.includes("admins")
      ? { status: "ok", subject, detail: "you are a workspace admin" }
      : { status: "missing", subject, detail: "only a workspace admin may make jobs run as another user" };
  }
  const sp = runAs?.service_principal;
  if (!sp || sp === me.userName) return undefined;
  const subject = `servicePrincipal.user on ${sp}`;
  if (!deps.accountId) {
    return {
      status: "unknown",
      subject,
      detail: "not checked: needs the Databricks account id (--account-id or DATABRICKS_ACCOUNT_ID)",
    };
  }
  const accountId = deps.accountId;
  return attempt(subject, async () => {
    const users =
      (await servicePrincipalRules(deps.client, accountId, sp)).get("roles/servicePrincipal.user") ?? [];
    const mine = [
      `users/${me.userName}`,
      `servicePrincipals/${me.userName}`,
      ...me.groups.map((g) => `groups/${g}`),
    ];
    const via = mine.find((principal) => users.includes(principal));
    return via
      ? { status: "ok", subject, detail: `you have it (${via})` }
      : {
          status: "missing",
          subject,
          detail:
            "you lack it, so the pipeline and jobs cannot run as this service principal: a manager of the " +
            "service principal grants it (account console → service principal → Permissions → Service principal: User)",
        };
  });
}

async function metastoreChecks(deps: DoctorDependencies, me: Caller): Promise<Check[]> {
  const metastoreId = await currentMetastore(deps.client).catch(() => undefined);
  if (!metastoreId) {
    return [
      {
        status: "missing",
        subject: "Unity Catalog",
        detail:
          "the workspace has no metastore: an account admin assigns one (serverless compute needs it too)",
      },
    ];
  }
  const needed = neededMetastorePrivileges(deps.environment);
  const privileges = await attempt("metastore privileges", async () => {
    const subject = "metastore privileges";
    const mine = new Set([me.userName, ...me.groups]);
    const owner = await metastoreOwner(deps.client, metastoreId);
    if (owner && mine.has(owner))
      return { status: "ok", subject, detail: `you are a metastore admin (${owner})` };
    const held = new Set<string>();
    for (const [principal, granted] of await metastorePrivileges(deps.client, metastoreId)) {
      if (mine.has(principal)) granted.forEach((p) => held.add(p));
    }
    const missing = needed.filter((p) => !held.has(p));
    return missing.length === 0
      ? { status: "ok", subject, detail: needed.join(", ") }
      : {
          status: "missing",
          subject,
          detail:
            `you lack ${missing.join(", ")}: a metastore admin runs ` +
            `GRANT ${missing.map((p) => p.replace(/_/g, " ")).join(", ")} ON METASTORE TO \`${me.userName}\``,
        };
  });
  return [{ status: "ok", subject: "Unity Catalog", detail: `metastore ${metastoreId}` }, privileges];
}

async function serverlessCheck(deps: DoctorDependencies): Promise<Check | undefined> {
  if (!deps.environment.config.warehouse.enabled) return undefined;
  const subject = "serverless SQL warehouses";
  return attempt(subject, async () => {
    const enabled = await proWarehousesEnabled(deps.client);
    if (enabled === false) {
      return {
        status: "missing",
        subject,
        detail: "PRO warehouses are turned off: a workspace admin enables them",
      };
    }
    return {
      status: enabled ? "ok" : "unknown",
      subject,
      detail:
        (enabled
          ? "PRO warehouses are enabled"
          : "the workspace does not say whether PRO warehouses are enabled") +
        "; serverless pipelines and jobs need Unity Catalog and a region that offers them",
    };
  });
}

/** AWS keeps this many executions unreserved in every account and region. */
const MINIMUM_UNRESERVED = 100;

async function lambdaCheck(deps: DoctorDependencies): Promise<Check | undefined> {
  const { config, names } = deps.environment;
  if (!config.http_ingest.enabled) return undefined;
  const wanted = config.http_ingest.reserved_concurrency;
  const subject = `Lambda concurrency (${config.aws.region})`;
  return attempt(subject, async () => {
    const figures = await deps.lambdaConcurrency(names.ingestFunction);
    const quota = `account limit ${figures.accountLimit}, ${figures.unreserved} unreserved`;
    if (wanted === undefined)
      return { status: "ok", subject, detail: `${quota}; http_ingest reserves nothing` };
    const left = figures.unreserved + figures.currentReservation - wanted;
    return left >= MINIMUM_UNRESERVED
      ? { status: "ok", subject, detail: `${quota}; reserving ${wanted} leaves ${left}` }
      : {
          status: "missing",
          subject,
          detail:
            `${quota}; http_ingest.reserved_concurrency ${wanted} would leave ${left}, and AWS keeps at least ` +
            `${MINIMUM_UNRESERVED} unreserved: lower or remove it, or ask for a higher quota (Service Quotas → ` +
            "AWS Lambda → Concurrent executions)",
        };
  });
}

/**
 * verify reads `sensor` and `global_stat` as whoever runs it (CI: the deploy principal). Owning the catalog
 * is not enough: Unity Catalog gives a catalog's owner no SELECT on tables others (the pipeline) own. So the
 * config must grant SELECT on the catalog or schema to the caller or to one of its groups.
 */
function readCheck(environment: Environment, me: Caller): Check {
  const subject = "SELECT on the tables verify reads";
  const mine = new Set([me.userName, ...me.groups]);
  const { unity_catalog: uc, databricks } = environment.config;
  if (databricks.run_as?.service_principal === me.userName || databricks.run_as?.user === me.userName) {
    return { status: "ok", subject, detail: "you are the run-as identity, which owns them" };
  }
  for (const key of ["catalog_grants", "schema_grants"] as const) {
    const grant = Object.entries(uc[key]).find(
      ([principal, g]) => mine.has(principal) && g.privileges.includes("SELECT"),
    );
    if (grant) return { status: "ok", subject, detail: `unity_catalog.${key} gives it to ${grant[0]}` };
  }
  return {
    status: "missing",
    subject,
    detail:
      `nothing in unity_catalog.catalog_grants or schema_grants gives SELECT to you (${me.userName}) or a group ` +
      "of yours, so `lakestack verify` run as you is refused: add yourself or a group you are in (CI: the deploy " +
      "service principal's group) with SELECT and USE_SCHEMA, and USE_CATALOG on the catalog",
  };
}

/** Every check, in the order a first deploy meets them. */
export async function runDoctor(deps: DoctorDependencies): Promise<Check[]> {
  const checks: Check[] = [await terraformCheck(deps)];
  let me: Caller;
  try {
    me = await whoAmI(deps.client);
    checks.push({ status: "ok", subject: "Databricks identity", detail: `you are ${me.userName}` });
  } catch (error) {
    checks.push({ status: "missing", subject: "Databricks identity", detail: (error as Error).message });
    const lambda = await lambdaCheck(deps);
    return lambda ? [...checks, lambda] : checks;
  }
  checks.push(...(await Promise.all(principalChecks(deps))));
  const optional = await Promise.all([runAsCheck(deps, me), serverlessCheck(deps), lambdaCheck(deps)]);
  const metastore = await metastoreChecks(deps, me);
  const [runAs, serverless, lambda] = optional;
  return [
    ...checks,
    ...(runAs ? [runAs] : []),
    ...metastore,
    readCheck(deps.environment, me),
    ...(serverless ? [serverless] : []),
    ...(lambda ? [lambda] : []),
  ];
}
