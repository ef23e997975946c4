/**
 * A Databricks workspace on loopback that answers the documented request and response shapes lakestack
 * uses: the OAuth token endpoint, the Statement Execution API (submit, poll, result chunks, cancel,
 * failure states), the Pipelines API (get, start update, get update), Jobs 2.2 (run-now, runs/get), SCIM
 * lookups, Unity Catalog's metastore assignment and effective permissions, the account rule-set proxy
 * and the workspace warehouse config. Tests script what it answers; unknown routes get 404.
 */
import type { IncomingMessage } from "node:http";
import { listen, type LocalServer } from "../dataplane/servers";

export const TEST_TOKEN = "dapi-test-token";
export const TEST_CLIENT = { id: "test-client", secret: "test-secret", accessToken: "oauth-access-token" };

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: any;
}

/** What one statement does: the states it goes through, then how it ends. */
export interface StatementScript {
  /** States reported before the end, one per poll. @default ["PENDING", "RUNNING"] */
  readonly states?: readonly string[];
  /** @default "SUCCEEDED" */
  readonly end?: "SUCCEEDED" | "FAILED" | "CANCELED" | "CLOSED";
  readonly columns?: readonly string[];
  readonly rows?: ReadonlyArray<ReadonlyArray<string | null>>;
  readonly error?: { readonly error_code: string; readonly message: string };
}

export interface StatementCall {
  readonly statement: string;
  readonly warehouseId: string;
  readonly catalog?: string;
  readonly schema?: string;
  readonly parameters: Record<string, string>;
}

export interface FakeUpdate {
  readonly id: string;
  /** States reported one per GET; the last one stays. */
  readonly states: readonly string[];
  reads?: number;
}

export interface FakePipeline {
  name: string;
  state: string;
  continuous: boolean;
  /** Newest first. */
  updates: FakeUpdate[];
  /** The states a started update goes through. @default ["QUEUED", "RUNNING", "COMPLETED"] */
  startedStates?: readonly string[];
  /** Called when an update is started (the test's pipeline may process its stream then). */
  onStart?: () => void | Promise<void>;
}

export interface FakeJob {
  /** Life-cycle states of a new run, one per GET; the last one stays. */
  readonly lifeCycle: readonly string[];
  readonly result?: string;
}

export interface FakeIdentity {
  me: { userName: string; groups: string[] };
  groups: string[];
  /** Service principals by application id. */
  servicePrincipals: string[];
  metastoreId?: string;
  metastoreOwner?: string;
  /** Effective privileges on the metastore, by principal. */
  metastorePrivileges: Record<string, string[]>;
  /** Rule sets by service principal application id: role → principals. */
  ruleSets: Record<string, Record<string, string[]>>;
  proWarehousesEnabled?: boolean;
}

export interface FakeWorkspace extends LocalServer {
  readonly requests: Recorded[];
  readonly statements: StatementCall[];
  pipelines: Map<string, FakePipeline>;
  jobs: Map<number, FakeJob>;
  identity: FakeIdentity;
  /** Decides what each submitted statement does. */
  sql: (call: StatementCall) => StatementScript | Promise<StatementScript>;
}

const FINISHED = new Set(["COMPLETED", "FAILED", "CANCELED"]);

/** The state an update reports now: reading it (GET update) moves it on. */
function currentState(update: FakeUpdate): string {
  return update.states[Math.min(update.reads ?? 0, update.states.length - 1)];
}

/** Rows per result chunk: small, so that reading every chunk is exercised. */
const CHUNK_ROWS = 2;

function json(response: import("node:http").ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function error(response: import("node:http").ServerResponse, status: number, code: string, message: string) {
  json(response, status, { error_code: code, message });
}

function authorized(request: IncomingMessage): boolean {
  const header = request.headers.authorization ?? "";
  return header === `Bearer ${TEST_TOKEN}` || header === `Bearer ${TEST_CLIENT.accessToken}`;
}

export async function startFakeWorkspace(): Promise<FakeWorkspace> {
  const requests: Recorded[] = [];
  const statements: StatementCall[] = [];
  const running = new Map<string, { script: StatementScript; polls: number; canceled: boolean }>();
  const runs = new Map<number, { job: FakeJob; reads: number }>();
  let counter = 0;

  const state: Omit<FakeWorkspace, keyof LocalServer> = {
    requests,
    statements,
    pipelines: new Map(),
    jobs: new Map(),
    identity: {
      me: { userName: "deployer@example.com", groups: [] },
      groups: [],
      servicePrincipals: [],
      metastorePrivileges: {},
      ruleSets: {},
    },
    sql: () => ({ columns: [], rows: [] }),
  };

  function statementResponse(id: string) {
    const entry = running.get(id)!;
    const before = entry.script.states ?? ["PENDING", "RUNNING"];
    const state = entry.canceled
      ? "CANCELED"
      : entry.polls < before.length
        ? before[entry.polls]
        : (entry.script.end ?? "SUCCEEDED");
    entry.polls += 1;
    const status =
      state === "FAILED"
        ? { state, error: entry.script.error, sql_state: "42000" }
        : state === "CANCELED" || state === "CLOSED"
          ? { state }
          : { state };
    if (state !== "SUCCEEDED") return { statement_id: id, status };
    const rows = entry.script.rows ?? [];
    const chunks = Math.max(1, Math.ceil(rows.length / CHUNK_ROWS));
    return {
      statement_id: id,
      status,
      manifest: {
        format: "JSON_ARRAY",
        schema: {
          column_count: entry.script.columns?.length ?? 0,
          columns: (entry.script.columns ?? []).map((name, position) => ({
            name,
            position,
            type_name: "STRING",
          })),
        },
        total_chunk_count: chunks,
        total_row_count: rows.length,
        truncated: false,
      },
      result: chunk(rows, 0, chunks),
    };
  }

  function chunk(rows: ReadonlyArray<ReadonlyArray<string | null>>, index: number, chunks: number) {
    const part = rows.slice(index * CHUNK_ROWS, (index + 1) * CHUNK_ROWS);
    return {
      chunk_index: index,
      row_offset: index * CHUNK_ROWS,
      row_count: part.length,
      data_array: part,
      ...(index + 1 < chunks
        ? { next_chunk_index: index + 1, next_chunk_internal_link: `/chunks/${index + 1}` }
        : {}),
    };
  }

  const server = await listen(async (request, rawBody, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname;
    const method = request.method ?? "GET";
    const text = rawBody.toString("utf8");
    let body: any;
    try {
      body = text && request.headers["content-type"]?.includes("json") ? JSON.parse(text) : text;
    } catch {
      return error(response, 400, "MALFORMED_REQUEST", "body is not JSON");
    }
    requests.push({ method, path, query: Object.fromEntries(url.searchParams), body });

    if (method === "POST" && path === "/oidc/v1/token") {
      const expected = `Basic ${Buffer.from(`${TEST_CLIENT.id}:${TEST_CLIENT.secret}`).toString("base64")}`;
      const form = new URLSearchParams(text);
      if (request.headers.authorization !== expected || form.get("grant_type") !== "client_credentials") {
        return json(response, 401, { error: "invalid_client" });
      }
      return json(response, 200, {
        access_token: TEST_CLIENT.accessToken,
        token_type: "Bearer",
        expires_in: 3600,
      });
    }
    if (!authorized(request)) return error(response, 401, "UNAUTHENTICATED", "invalid access token");

    // Statement Execution API
    if (method === "POST" && path === "/api/2.0/sql/statements") {
      const call: StatementCall = {
        statement: body.statement,
        warehouseId: body.warehouse_id,
        catalog: body.catalog,
        schema: body.schema,
        parameters: Object.fromEntries((body.parameters ?? []).map((p: any) => [p.name, p.value])),
      };
      statements.push(call);
      const id = `stmt-${++counter}`;
      running.set(id, { script: await state.sql(call), polls: 0, canceled: false });
      return json(response, 200, statementResponse(id));
    }
    let match = /^\/api\/2\.0\/sql\/statements\/([^/]+)(\/cancel|\/result\/chunks\/(\d+))?$/.exec(path);
    if (match) {
      const entry = running.get(match[1]);
      if (!entry) return error(response, 404, "NOT_FOUND", `no statement ${match[1]}`);
      if (method === "POST" && match[2] === "/cancel") {
        entry.canceled = true;
        return json(response, 200, {});
      }
      if (method === "GET" && match[3] !== undefined) {
        const rows = entry.script.rows ?? [];
        return json(
          response,
          200,
          chunk(rows, Number(match[3]), Math.max(1, Math.ceil(rows.length / CHUNK_ROWS))),
        );
      }
      if (method === "GET" && !match[2]) return json(response, 200, statementResponse(match[1]));
    }

    // Pipelines API
    match = /^\/api\/2\.0\/pipelines\/([^/]+)(\/stop|\/updates(?:\/([^/]+))?)?$/.exec(path);
    if (match) {
      const pipeline = state.pipelines.get(match[1]);
      if (!pipeline) return error(response, 404, "RESOURCE_DOES_NOT_EXIST", `pipeline ${match[1]} not found`);
      if (method === "GET" && !match[2]) {
        return json(response, 200, {
          pipeline_id: match[1],
          name: pipeline.name,
          state: pipeline.state,
          health: pipeline.state === "FAILED" ? "UNHEALTHY" : "HEALTHY",
          spec: {
            id: match[1],
            name: pipeline.name,
            continuous: pipeline.continuous,
            development: !pipeline.continuous,
          },
          latest_updates: pipeline.updates.map((u) => ({
            update_id: u.id,
            state: currentState(u),
            creation_time: "2026-01-01T00:00:00Z",
          })),
        });
      }
      if (method === "POST" && match[2] === "/stop") {
        pipeline.state = "IDLE";
        pipeline.updates = pipeline.updates.map((u) =>
          FINISHED.has(currentState(u)) ? u : { id: u.id, states: ["CANCELED"] },
        );
        return json(response, 200, {});
      }
      if (method === "POST" && match[2] === "/updates" && !match[3]) {
        if (pipeline.updates.some((u) => !FINISHED.has(currentState(u)))) {
          return error(response, 409, "INVALID_STATE_FOR_UPDATE", "the pipeline has an active update");
        }
        const update: FakeUpdate = {
          id: `update-${++counter}`,
          states: pipeline.startedStates ?? ["QUEUED", "RUNNING", "COMPLETED"],
        };
        pipeline.updates.unshift(update);
        await pipeline.onStart?.();
        return json(response, 200, { update_id: update.id, request_id: `request-${counter}` });
      }
      if (method === "GET" && match[3]) {
        const update = pipeline.updates.find((u) => u.id === match![3]);
        if (!update) return error(response, 404, "RESOURCE_DOES_NOT_EXIST", `update ${match[3]} not found`);
        const state = currentState(update);
        update.reads = (update.reads ?? 0) + 1;
        return json(response, 200, {
          update: { pipeline_id: match[1], update_id: update.id, state, cause: "API_CALL" },
        });
      }
    }

    // Jobs API 2.2
    if (method === "POST" && path === "/api/2.2/jobs/run-now") {
      const job = state.jobs.get(Number(body.job_id));
      if (!job) return error(response, 400, "INVALID_PARAMETER_VALUE", `Job ${body.job_id} does not exist.`);
      const runId = ++counter;
      runs.set(runId, { job, reads: 0 });
      return json(response, 200, { run_id: runId, number_in_job: runId });
    }
    if (method === "GET" && path === "/api/2.2/jobs/runs/get") {
      const run = runs.get(Number(url.searchParams.get("run_id")));
      if (!run) return error(response, 400, "INVALID_PARAMETER_VALUE", "Run does not exist.");
      const lifeCycle = run.job.lifeCycle[Math.min(run.reads, run.job.lifeCycle.length - 1)];
      run.reads += 1;
      const ended = ["TERMINATED", "SKIPPED", "INTERNAL_ERROR"].includes(lifeCycle);
      return json(response, 200, {
        run_id: Number(url.searchParams.get("run_id")),
        run_page_url: `${server.url}/?o=1#job/1/run/${url.searchParams.get("run_id")}`,
        state: {
          life_cycle_state: lifeCycle,
          ...(ended ? { result_state: run.job.result ?? "SUCCESS" } : {}),
          state_message: "",
        },
      });
    }

    // Identity, Unity Catalog and settings, for doctor
    const identity = state.identity;
    if (method === "GET" && path === "/api/2.0/preview/scim/v2/Me") {
      return json(response, 200, {
        userName: identity.me.userName,
        groups: identity.me.groups.map((display) => ({ display, value: `g-${display}` })),
      });
    }
    match = /^\/api\/2\.0\/preview\/scim\/v2\/(Groups|ServicePrincipals)$/.exec(path);
    if (method === "GET" && match) {
      const filter = /^(displayName|applicationId) eq "(.*)"$/.exec(url.searchParams.get("filter") ?? "");
      if (!filter) return error(response, 400, "INVALID_PARAMETER_VALUE", "unsupported filter");
      const known = match[1] === "Groups" ? identity.groups : identity.servicePrincipals;
      const found = known.filter((name) => name === filter[2]);
      return json(response, 200, {
        totalResults: found.length,
        Resources: found.map((name) =>
          match![1] === "Groups" ? { displayName: name } : { applicationId: name },
        ),
      });
    }
    if (method === "GET" && path === "/api/2.1/unity-catalog/current-metastore-assignment") {
      if (!identity.metastoreId)
        return error(
          response,
          404,
          "METASTORE_DOES_NOT_EXIST",
          "No metastore assigned for the current workspace.",
        );
      return json(response, 200, { metastore_id: identity.metastoreId, workspace_id: 1 });
    }
    match = /^\/api\/2\.1\/unity-catalog\/metastores\/([^/]+)$/.exec(path);
    if (method === "GET" && match)
      return json(response, 200, { metastore_id: match[1], owner: identity.metastoreOwner });
    match = /^\/api\/2\.1\/unity-catalog\/effective-permissions\/metastore\/([^/]+)$/.exec(path);
    if (method === "GET" && match) {
      return json(response, 200, {
        privilege_assignments: Object.entries(identity.metastorePrivileges).map(
          ([principal, privileges]) => ({
            principal,
            privileges: privileges.map((privilege) => ({ privilege })),
          }),
        ),
      });
    }
    if (method === "GET" && path === "/api/2.0/preview/accounts/access-control/rule-sets") {
      const name = url.searchParams.get("name") ?? "";
      const sp = /^accounts\/[^/]+\/servicePrincipals\/([^/]+)\/ruleSets\/default$/.exec(name)?.[1];
      const rules = sp ? identity.ruleSets[sp] : undefined;
      if (!rules) return error(response, 404, "RESOURCE_DOES_NOT_EXIST", `rule set ${name} not found`);
      return json(response, 200, {
        name,
        etag: "etag",
        grant_rules: Object.entries(rules).map(([role, principals]) => ({ role, principals })),
      });
    }
    if (method === "GET" && path === "/api/2.0/sql/config/warehouses") {
      return json(response, 200, {
        enabled_warehouse_types: [
          { warehouse_type: "CLASSIC", enabled: true },
          { warehouse_type: "PRO", enabled: identity.proWarehousesEnabled ?? true },
        ],
      });
    }
    return error(response, 404, "ENDPOINT_NOT_FOUND", `no ${method} ${path} here`);
  });
  return Object.assign(state, server) as FakeWorkspace;
}
