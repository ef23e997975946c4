/**
 * SQL on a warehouse through the Statement Execution API
 * (https://docs.databricks.com/api/statement-execution/v1/statement-execution):
 * - `POST /api/2.0/sql/statements` `{ warehouse_id, statement, parameters, catalog, schema, wait_timeout,
 *   on_wait_timeout: "CONTINUE", format: "JSON_ARRAY", disposition: "INLINE" }` answers with `statement_id`
 *   and `status.state` (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED, CLOSED);
 * - `GET /api/2.0/sql/statements/{id}` polls it; once SUCCEEDED it carries `manifest` (the columns) and
 *   `result`, the first chunk of rows as `data_array` (every value a string or null);
 * - `GET /api/2.0/sql/statements/{id}/result/chunks/{n}` fetches chunk n, each naming `next_chunk_index`;
 * - `POST /api/2.0/sql/statements/{id}/cancel` stops one that outlived our deadline.
 * A serverless warehouse that was stopped starts on the first statement, which can take tens of seconds.
 */
import { DatabricksError, type DatabricksClient } from "./client";
import { DeadlineExceeded, pause, type Polling } from "./polling";

export interface StatementParameter {
  readonly name: string;
  readonly value: string;
  /** SQL type of the value, e.g. STRING, TIMESTAMP. @default STRING */
  readonly type?: string;
}

export interface StatementRequest {
  readonly warehouseId: string;
  readonly statement: string;
  /** Named markers (`:name`) in the statement: values never go into the SQL text. */
  readonly parameters?: readonly StatementParameter[];
  readonly catalog?: string;
  readonly schema?: string;
}

export interface StatementResult {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>;
}

/** The warehouse ran the statement and it failed, or it was canceled or closed. */
export class StatementFailed extends DatabricksError {
  constructor(
    readonly state: string,
    message: string,
    errorCode?: string,
    readonly sqlState?: string,
  ) {
    super(message, undefined, errorCode);
  }
}

interface StatementStatus {
  readonly state?: string;
  readonly error?: { readonly error_code?: string; readonly message?: string };
  readonly sql_state?: string;
}

interface ResultChunk {
  readonly data_array?: Array<Array<string | null>>;
  readonly next_chunk_index?: number;
}

interface StatementResponse {
  readonly statement_id?: string;
  readonly status?: StatementStatus;
  readonly manifest?: { readonly schema?: { readonly columns?: ReadonlyArray<{ readonly name?: string }> } };
  readonly result?: ResultChunk;
}

const RUNNING_STATES = new Set(["PENDING", "RUNNING"]);

/**
 * Runs one statement and returns every row; throws {@link StatementFailed}, or {@link DeadlineExceeded}
 * naming what the caller waits for (`waitingFor`, asked when the deadline passes).
 */
export async function runStatement(
  client: DatabricksClient,
  request: StatementRequest,
  polling: Polling,
  waitingFor: () => string = () => "a SQL statement",
): Promise<StatementResult> {
  let response = await client.post<StatementResponse>("/api/2.0/sql/statements", {
    warehouse_id: request.warehouseId,
    statement: request.statement,
    parameters: request.parameters?.map((p) => ({ name: p.name, value: p.value, type: p.type ?? "STRING" })),
    catalog: request.catalog,
    schema: request.schema,
    // Waits up to 10 s for a quick answer, then hands back an id to poll.
    wait_timeout: "10s",
    on_wait_timeout: "CONTINUE",
    format: "JSON_ARRAY",
    disposition: "INLINE",
  });
  const id = response.statement_id;
  if (!id) throw new DatabricksError("the Statement Execution API returned no statement_id");
  const path = `/api/2.0/sql/statements/${encodeURIComponent(id)}`;
  while (RUNNING_STATES.has(response.status?.state ?? "PENDING")) {
    try {
      await pause(polling, waitingFor());
    } catch (error) {
      if (error instanceof DeadlineExceeded) {
        // Best effort: a statement nobody waits for should not keep the warehouse busy.
        await client.post(`${path}/cancel`, {}).catch(() => undefined);
      }
      throw error;
    }
    response = await client.get<StatementResponse>(path);
  }
  const status = response.status ?? {};
  if (status.state !== "SUCCEEDED") {
    const reason = status.error?.message ?? "no reason given";
    throw new StatementFailed(
      status.state ?? "UNKNOWN",
      `the statement ${status.state?.toLowerCase() ?? "ended"}: ${reason}`,
      status.error?.error_code,
      status.sql_state,
    );
  }
  const rows = [...(response.result?.data_array ?? [])];
  let next = response.result?.next_chunk_index;
  while (next !== undefined) {
    const chunk = await client.get<ResultChunk>(`${path}/result/chunks/${next}`);
    rows.push(...(chunk.data_array ?? []));
    next = chunk.next_chunk_index;
  }
  const columns = (response.manifest?.schema?.columns ?? []).map((c) => c.name ?? "");
  return { columns, rows };
}
