/**
 * A small client for the Databricks workspace REST API: the few endpoints run, verify and doctor call,
 * with the credentials the Terraform provider reads from the same environment variables.
 *
 * Authentication (https://docs.databricks.com/aws/en/dev-tools/auth/oauth-m2m):
 * - DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET: OAuth machine-to-machine. `POST <host>/oidc/v1/token`
 *   with `grant_type=client_credentials&scope=all-apis` and the id and secret as HTTP Basic credentials;
 *   the answer's `access_token` is valid for `expires_in` seconds (an hour).
 * - DATABRICKS_TOKEN: a personal access token, sent as is.
 * Errors come back as `{ "error_code": "...", "message": "..." }` with an HTTP status.
 */

export interface DatabricksCredentials {
  readonly token?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/** A problem the user can fix (no credentials, a refused call); its message is one line. */
export class DatabricksError extends Error {
  constructor(
    message: string,
    /** HTTP status, when the workspace answered. */
    readonly status?: number,
    /** Databricks' `error_code`, e.g. PERMISSION_DENIED. */
    readonly errorCode?: string,
  ) {
    super(message);
  }
}

/** Credentials from the process environment, as the Databricks provider reads them. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): DatabricksCredentials {
  const clientId = env.DATABRICKS_CLIENT_ID?.trim();
  const clientSecret = env.DATABRICKS_CLIENT_SECRET?.trim();
  if (clientId && clientSecret) return { clientId, clientSecret };
  const token = env.DATABRICKS_TOKEN?.trim();
  if (token) return { token };
  throw new DatabricksError(
    "no Databricks credentials: set DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (a service principal's " +
      "OAuth secret) or DATABRICKS_TOKEN, as for Terraform",
  );
}

export interface DatabricksClientOptions {
  /** The workspace URL, e.g. https://dbc-1234abcd-5678.cloud.databricks.com. */
  readonly host: string;
  readonly credentials: DatabricksCredentials;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** How long one HTTP request may take. @default 60000 */
  readonly requestTimeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

/** Transient answers worth one more try: rate limits and a workspace briefly unavailable. */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
const ATTEMPTS = 3;

export class DatabricksClient {
  readonly host: string;
  private readonly fetch: typeof fetch;
  private readonly requestTimeoutMs: number;
  private accessToken?: { value: string; expiresAt: number };

  constructor(private readonly options: DatabricksClientOptions) {
    this.host = options.host.replace(/\/+$/, "");
    this.fetch = options.fetch ?? globalThis.fetch;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", path, { query });
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, { body });
  }

  private async request<T>(method: string, path: string, { query, body }: { query?: Query; body?: unknown }) {
    const url = new URL(`${this.host}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    for (let attempt = 1; ; attempt++) {
      const response = await this.send(url, {
        method,
        headers: {
          authorization: `Bearer ${await this.token()}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.ok) return (await response.json()) as T;
      if (attempt < ATTEMPTS && RETRIED_STATUSES.has(response.status)) {
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(response, attempt)));
        continue;
      }
      throw await apiError(method, path, response);
    }
  }

  private async send(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, { ...init, signal: AbortSignal.timeout(this.requestTimeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new DatabricksError(
        `cannot reach ${url.origin} (${cause?.code ?? cause?.message ?? (error as Error).name})`,
      );
    }
  }

  /** A personal access token as is; an OAuth token fetched once and renewed a minute before it expires. */
  private async token(): Promise<string> {
    const { token, clientId, clientSecret } = this.options.credentials;
    if (token) return token;
    if (this.accessToken && Date.now() < this.accessToken.expiresAt) return this.accessToken.value;
    const response = await this.send(new URL(`${this.host}/oidc/v1/token`), {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: "all-apis" }).toString(),
    });
    if (!response.ok) {
      throw new DatabricksError(
        `the workspace refused the OAuth client credentials (HTTP ${response.status}): check DATABRICKS_CLIENT_ID ` +
          "and DATABRICKS_CLIENT_SECRET, and that the service principal belongs to this workspace",
        response.status,
      );
    }
    const answer = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!answer.access_token)
      throw new DatabricksError("the workspace's token endpoint returned no access_token");
    this.accessToken = {
      value: answer.access_token,
      expiresAt: Date.now() + Math.max(0, (answer.expires_in ?? 3600) - 60) * 1000,
    };
    return answer.access_token;
  }
}

function retryDelayMs(response: Response, attempt: number): number {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : 500 * attempt;
}

async function apiError(method: string, path: string, response: Response): Promise<DatabricksError> {
  const text = await response.text().catch(() => "");
  let errorCode: string | undefined;
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    errorCode = body.error_code;
    message = body.message ?? message;
  } catch {
    // Not JSON (a proxy's page, say): the start of the text will do.
  }
  const code = errorCode ? `${errorCode}, ` : "";
  return new DatabricksError(
    `${method} ${path}: ${message || response.statusText} (${code}HTTP ${response.status})`,
    response.status,
    errorCode,
  );
}
