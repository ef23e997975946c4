import { credentialsFromEnv, DatabricksClient, DatabricksError } from "../../databricks-api/client";
import { DeadlineExceeded, parseDuration } from "../../databricks-api/polling";
import { runStatement, StatementFailed } from "../../databricks-api/statements";
import { startFakeWorkspace, TEST_CLIENT, TEST_TOKEN, type FakeWorkspace } from "./fake-workspace";

let workspace: FakeWorkspace;
beforeEach(async () => {
  workspace = await startFakeWorkspace();
});
afterEach(() => workspace.close());

const polling = (ms = 2000) => ({ intervalMs: 10, deadline: Date.now() + ms });
const tokenClient = () => new DatabricksClient({ host: workspace.url, credentials: { token: TEST_TOKEN } });

describe("the Databricks client", () => {
  it("takes credentials from the environment as the provider does, OAuth first", () => {
    expect(
      credentialsFromEnv({ DATABRICKS_CLIENT_ID: "a", DATABRICKS_CLIENT_SECRET: "b", DATABRICKS_TOKEN: "t" }),
    ).toEqual({
      clientId: "a",
      clientSecret: "b",
    });
    expect(credentialsFromEnv({ DATABRICKS_TOKEN: " t " })).toEqual({ token: "t" });
    expect(() => credentialsFromEnv({ DATABRICKS_CLIENT_ID: "a" })).toThrow(/no Databricks credentials/);
  });

  it("gets one OAuth token with the client credentials and uses it for every call", async () => {
    workspace.identity.me = { userName: "sp-app-id", groups: [] };
    const client = new DatabricksClient({
      host: `${workspace.url}/`,
      credentials: { clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret },
    });
    for (let i = 0; i < 3; i++) {
      expect(await client.get<{ userName: string }>("/api/2.0/preview/scim/v2/Me")).toMatchObject({
        userName: "sp-app-id",
      });
    }
    const tokenRequests = workspace.requests.filter((r) => r.path === "/oidc/v1/token");
    expect(tokenRequests).toHaveLength(1);
    expect(new URLSearchParams(tokenRequests[0].body).get("scope")).toBe("all-apis");
  });

  it("says when the workspace refuses the client credentials", async () => {
    const client = new DatabricksClient({
      host: workspace.url,
      credentials: { clientId: TEST_CLIENT.id, clientSecret: "wrong" },
    });
    await expect(client.get("/api/2.0/preview/scim/v2/Me")).rejects.toThrow(
      /the workspace refused the OAuth client credentials \(HTTP 401\)/,
    );
  });

  it("turns an API error into one line with Databricks' error code", async () => {
    const error = await tokenClient()
      .get("/api/2.0/pipelines/missing")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabricksError);
    expect(error).toMatchObject({
      status: 404,
      errorCode: "RESOURCE_DOES_NOT_EXIST",
      message:
        "GET /api/2.0/pipelines/missing: pipeline missing not found (RESOURCE_DOES_NOT_EXIST, HTTP 404)",
    });
  });

  it("says which workspace it cannot reach", async () => {
    const closed = await startFakeWorkspace();
    await closed.close();
    const client = new DatabricksClient({ host: closed.url, credentials: { token: "t" } });
    await expect(client.get("/x")).rejects.toThrow(`cannot reach ${closed.url} (ECONNREFUSED)`);
  });
});

describe("runStatement", () => {
  const request = {
    warehouseId: "w",
    statement: "SELECT n FROM t WHERE d = :d",
    parameters: [{ name: "d", value: "x" }],
  };

  it("polls until SUCCEEDED and reads every result chunk", async () => {
    const rows = [["1"], ["2"], ["3"], ["4"], [null]];
    workspace.sql = () => ({ states: ["PENDING", "PENDING", "RUNNING"], columns: ["n"], rows });
    const result = await runStatement(tokenClient(), request, polling());
    expect(result).toEqual({ columns: ["n"], rows });
    expect(
      workspace.requests
        .filter((r) => r.path.includes("/result/chunks/"))
        .map((r) => r.path.split("/").pop()),
    ).toEqual(["1", "2"]);
    const submit = workspace.requests.find((r) => r.path === "/api/2.0/sql/statements")!.body;
    expect(submit).toMatchObject({
      warehouse_id: "w",
      wait_timeout: "10s",
      on_wait_timeout: "CONTINUE",
      format: "JSON_ARRAY",
      disposition: "INLINE",
      parameters: [{ name: "d", value: "x", type: "STRING" }],
    });
  });

  it.each([
    [
      "FAILED",
      { error_code: "BAD_REQUEST", message: "[TABLE_OR_VIEW_NOT_FOUND] sensor" },
      "the statement failed: [TABLE_OR_VIEW_NOT_FOUND] sensor",
    ],
    ["CANCELED", undefined, "the statement canceled: no reason given"],
    ["CLOSED", undefined, "the statement closed: no reason given"],
  ] as const)("throws when the statement ends %s", async (end, error, message) => {
    workspace.sql = () => ({ end, error });
    const failure = await runStatement(tokenClient(), request, polling()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StatementFailed);
    expect(failure).toMatchObject({ state: end, message, errorCode: error?.error_code });
  });

  it("cancels a statement that outlives the deadline", async () => {
    workspace.sql = () => ({ states: Array(1000).fill("RUNNING") });
    await expect(runStatement(tokenClient(), request, polling(100))).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(workspace.requests.filter((r) => r.path.endsWith("/cancel"))).toHaveLength(1);
  });
});

describe("durations", () => {
  it("read as the commands take them", () => {
    expect([parseDuration("500ms"), parseDuration("30s"), parseDuration("10m"), parseDuration("1h")]).toEqual(
      [500, 30_000, 600_000, 3_600_000],
    );
    expect(parseDuration("10 minutes")).toBeUndefined();
  });
});
