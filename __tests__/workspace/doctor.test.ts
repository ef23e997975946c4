/**
 * `lakestack doctor` against a loopback workspace (SCIM, Unity Catalog, rule sets, warehouse config), a
 * loopback Lambda API (reached through the SDK's own AWS_ENDPOINT_URL_LAMBDA) and a stub terraform.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listen, type LocalServer } from "../dataplane/servers";
import { startFakeWorkspace, TEST_TOKEN, type FakeWorkspace } from "../databricks/fake-workspace";
import { CONFIG_DIR, referenceEnvironment } from "../helpers";
import { lakestack } from "../lakestack";
import { createStubTerraform, type StubTerraform } from "../plan/stub-terraform";

const RUN_AS = referenceEnvironment("prod").config.databricks.run_as!.service_principal!;
const ME = "deployer@example.com";
const ALL_PRIVILEGES = [
  "CREATE_CATALOG",
  "CREATE_EXTERNAL_LOCATION",
  "CREATE_SERVICE_CREDENTIAL",
  "CREATE_STORAGE_CREDENTIAL",
  "CREATE_SHARE",
  "CREATE_RECIPIENT",
];

let workspace: FakeWorkspace;
let lambda: LocalServer;
let account = { limit: 1000, unreserved: 1000 };
let functionReservation: number | undefined;
let stub: StubTerraform;
let cwd: string;
const saved: Record<string, string | undefined> = {};

function setEnv(values: Record<string, string | undefined>) {
  for (const [key, value] of Object.entries(values)) {
    if (!(key in saved)) saved[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

beforeAll(async () => {
  lambda = await listen((request, _body, response) => {
    response.setHeader("content-type", "application/json");
    if (request.url === "/2016-08-19/account-settings") {
      response.end(
        JSON.stringify({
          AccountLimit: {
            ConcurrentExecutions: account.limit,
            UnreservedConcurrentExecutions: account.unreserved,
          },
          AccountUsage: { FunctionCount: 1 },
        }),
      );
    } else if (/^\/2019-09-30\/functions\/seismo-prod-ingest\/concurrency$/.test(request.url ?? "")) {
      if (functionReservation === undefined) {
        response.writeHead(404, { "x-amzn-errortype": "ResourceNotFoundException" });
        response.end(JSON.stringify({ Type: "User", Message: "Function not found" }));
      } else {
        response.end(JSON.stringify({ ReservedConcurrentExecutions: functionReservation }));
      }
    } else {
      response.writeHead(404, { "x-amzn-errortype": "UnknownOperationException" });
      response.end("{}");
    }
  });
  stub = createStubTerraform();
  cwd = mkdtempSync(join(tmpdir(), "lakestack-doctor-"));
  cpSync(CONFIG_DIR, join(cwd, "config"), { recursive: true });
  setEnv({
    ...stub.env(),
    DATABRICKS_TOKEN: TEST_TOKEN,
    DATABRICKS_CLIENT_ID: undefined,
    DATABRICKS_ACCOUNT_ID: "acct-1",
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(cwd, { recursive: true, force: true });
  stub.remove();
  await lambda.close();
});

/** A workspace where the deployer has everything prod needs. */
beforeEach(async () => {
  workspace = await startFakeWorkspace();
  Object.assign(workspace.identity, {
    me: { userName: ME, groups: ["seismo-engineers"] },
    groups: ["seismo-engineers", "seismo-analysts", "admins"],
    servicePrincipals: [RUN_AS],
    metastoreId: "metastore-1",
    metastoreOwner: "metastore-admins",
    metastorePrivileges: {
      "seismo-engineers": ["CREATE_CATALOG", "CREATE_SHARE"],
      [ME]: ALL_PRIVILEGES.slice(1),
    },
    ruleSets: {
      [RUN_AS]: {
        "roles/servicePrincipal.manager": ["users/someone@example.com"],
        "roles/servicePrincipal.user": ["groups/seismo-engineers"],
      },
    },
  });
  account = { limit: 1000, unreserved: 1000 };
  functionReservation = undefined;
});
afterEach(() => workspace.close());

const doctor = (...args: string[]) =>
  lakestack(cwd, "doctor", "--env", "prod", "--host", workspace.url, ...args);

describe("lakestack doctor", () => {
  it("finds everything a first deploy of prod needs, through the APIs, with the caller's credentials", async () => {
    const { code, stdout } = await doctor();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^lakestack doctor \[prod\]: ready$/m);
    for (const line of [
      "  ok       terraform: 1.10.5 (1.10 or newer)",
      `  ok       Databricks identity: you are ${ME}`,
      "  ok       group seismo-analysts: exists (unity_catalog.catalog_grants, unity_catalog.schema_grants, pipeline.permissions, warehouse.permissions)",
      `  ok       service principal ${RUN_AS}: exists (databricks.run_as)`,
      `  ok       servicePrincipal.user on ${RUN_AS}: you have it (groups/seismo-engineers)`,
      "  ok       Unity Catalog: metastore metastore-1",
      `  ok       metastore privileges: ${[...ALL_PRIVILEGES.slice(0, 4), "CREATE_SHARE", "CREATE_RECIPIENT"].join(", ")}`,
      "  ok       SELECT on the tables verify reads: unity_catalog.catalog_grants gives it to seismo-engineers",
      "  ok       Lambda concurrency (eu-west-1): account limit 1000, 1000 unreserved; http_ingest reserves nothing",
    ]) {
      expect(stdout).toContain(`${line}\n`);
    }
    // The rule set is read through the workspace, for the account and the run-as service principal.
    expect(workspace.requests.find((r) => r.path.endsWith("/rule-sets"))!.query).toEqual({
      name: `accounts/acct-1/servicePrincipals/${RUN_AS}/ruleSets/default`,
      etag: "",
    });
  });

  it("says exactly what is missing, with exit code 3", async () => {
    Object.assign(workspace.identity, {
      groups: ["seismo-engineers"],
      metastorePrivileges: {
        [ME]: ["CREATE_CATALOG", "CREATE_EXTERNAL_LOCATION", "CREATE_STORAGE_CREDENTIAL"],
      },
      ruleSets: { [RUN_AS]: { "roles/servicePrincipal.manager": [`users/${ME}`] } },
    });
    setEnv({ STUB_VERSION_JSON: '{"terraform_version":"1.9.8"}' });
    try {
      const { code, stdout } = await doctor("--json");
      expect(code).toBe(3);
      const missing = JSON.parse(stdout).checks.filter((c: any) => c.status === "missing");
      expect(missing.map((c: any) => `${c.subject}: ${c.detail}`)).toEqual([
        "terraform: 1.9.8 is too old: S3-native state locking needs 1.10 or newer",
        "group seismo-analysts: not in the workspace, but unity_catalog.catalog_grants, unity_catalog.schema_grants, pipeline.permissions, warehouse.permissions name it: add the group to the workspace (an account admin can), or fix the name",
        `servicePrincipal.user on ${RUN_AS}: you lack it, so the pipeline and jobs cannot run as this service principal: a manager of the service principal grants it (account console → service principal → Permissions → Service principal: User)`,
        `metastore privileges: you lack CREATE_SERVICE_CREDENTIAL, CREATE_SHARE, CREATE_RECIPIENT: a metastore admin runs GRANT CREATE SERVICE CREDENTIAL, CREATE SHARE, CREATE RECIPIENT ON METASTORE TO \`${ME}\``,
      ]);
    } finally {
      setEnv({ STUB_VERSION_JSON: undefined });
    }
  });

  it("says when the caller could deploy but not read what verify reads", async () => {
    const before = { ...workspace.identity };
    Object.assign(workspace.identity, { me: { userName: ME, groups: [] } });
    try {
      const { stdout } = await doctor("--json");
      const read = JSON.parse(stdout).checks.find(
        (c: any) => c.subject === "SELECT on the tables verify reads",
      );
      expect(read).toMatchObject({ status: "missing" });
      expect(read.detail).toContain(`gives SELECT to you (${ME}) or a group of yours`);
    } finally {
      Object.assign(workspace.identity, before);
    }
  });

  it("checks a Lambda reservation against the account's quota", async () => {
    const prod = join(cwd, "config", "prod.yaml");
    const original = readFileSync(prod, "utf8");
    writeFileSync(
      prod,
      original.replace(
        "  log_retention_days: 90\n",
        "  log_retention_days: 90\n  reserved_concurrency: 50\n",
      ),
    );
    try {
      account = { limit: 100, unreserved: 100 };
      const refused = await doctor();
      expect(refused.code).toBe(3);
      expect(refused.stdout).toContain(
        "  MISSING  Lambda concurrency (eu-west-1): account limit 100, 100 unreserved; http_ingest.reserved_concurrency 50 would leave 50, and AWS keeps at least 100 unreserved",
      );
      // What the function reserves already is given back when the reservation changes.
      account = { limit: 200, unreserved: 140 };
      functionReservation = 60;
      const fits = await doctor();
      expect(fits.stdout).toContain(
        "  ok       Lambda concurrency (eu-west-1): account limit 200, 140 unreserved; reserving 50 leaves 150\n",
      );
    } finally {
      writeFileSync(prod, original);
    }
  });

  it("says what it could not check, and why", async () => {
    setEnv({ DATABRICKS_ACCOUNT_ID: undefined, AWS_ENDPOINT_URL_LAMBDA: "http://127.0.0.1:1" });
    try {
      const { code, stdout } = await doctor();
      expect(code).toBe(0);
      expect(stdout).toMatch(/^lakestack doctor \[prod\]: ready; 2 could not be checked$/m);
      expect(stdout).toContain(
        `  unknown  servicePrincipal.user on ${RUN_AS}: not checked: needs the Databricks account id (--account-id or DATABRICKS_ACCOUNT_ID)\n`,
      );
      expect(stdout).toMatch(/^ {2}unknown {2}Lambda concurrency \(eu-west-1\): could not check: /m);
    } finally {
      setEnv({ DATABRICKS_ACCOUNT_ID: "acct-1", AWS_ENDPOINT_URL_LAMBDA: lambda.url });
    }
  });

  it("reports a workspace without Unity Catalog", async () => {
    workspace.identity.metastoreId = undefined;
    const { code, stdout } = await doctor();
    expect(code).toBe(3);
    expect(stdout).toContain(
      "  MISSING  Unity Catalog: the workspace has no metastore: an account admin assigns one (serverless compute needs it too)\n",
    );
  });
});
