/**
 * The page's runtime settings, fetched from `config.json` next to `index.html`. The infrastructure writes
 * that file; nothing is ever templated into the HTML or the script.
 */
export interface SiteConfig {
  readonly region: string;
  readonly streamName: string;
  /** Cognito identity pool for guest credentials (basic flow); null when the page may not write to Kinesis. */
  readonly identityPoolId: string | null;
  /** The role guests assume with their Cognito token; needed together with identityPoolId. */
  readonly guestRoleArn: string | null;
  /** Full URL of the HTTP ingest endpoint (`POST …/events`); null when there is none. */
  readonly ingestUrl: string | null;
  /**
   * How to send: "kinesis" (guest credentials only), "http" (ingest URL only), or "auto": Kinesis when guest
   * credentials can be had, else the ingest URL. @default "auto"
   */
  readonly transport: "auto" | "kinesis" | "http";
  /** Least time between two events from this phone; the strongest reading in between is sent. @default 200 */
  readonly sampleIntervalMs: number;
  /** AWS endpoints; `config.json` may override them (http/https URLs) to point at local emulators. */
  readonly endpoints: { readonly kinesis: string; readonly cognitoIdentity: string; readonly sts: string };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const IDENTITY_POOL_ID =
  /^[a-z]{2}(-[a-z]+)+-\d{1,2}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export class ConfigError extends Error {}

/** Checks every field; the error lists all problems, so one look at config.json fixes them all. */
export function parseConfig(raw: unknown): SiteConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new ConfigError("config.json is not a JSON object");
  const input = raw as Record<string, unknown>;
  const problems: string[] = [];
  const pattern = (field: string, regex: RegExp, nullable: boolean): string | null => {
    const value = input[field];
    if (nullable && (value === null || value === undefined)) return null;
    if (typeof value === "string" && regex.test(value)) return value;
    problems.push(`${field}: expected ${nullable ? "null or " : ""}a value matching ${regex.source}`);
    return null;
  };
  const url = (field: string, value: unknown, nullable: boolean): string | null => {
    if (nullable && (value === null || value === undefined)) return null;
    if (typeof value === "string" && isHttpUrl(value)) return value;
    problems.push(`${field}: expected ${nullable ? "null or " : ""}an http(s) URL`);
    return null;
  };

  const region = pattern("region", REGION, false) ?? "";
  const streamName = pattern("streamName", STREAM_NAME, false) ?? "";
  const identityPoolId = pattern("identityPoolId", IDENTITY_POOL_ID, true);
  const guestRoleArn = pattern("guestRoleArn", ROLE_ARN, true);
  const ingestUrl = url("ingestUrl", input.ingestUrl, true);

  const transport = input.transport ?? "auto";
  if (transport !== "auto" && transport !== "kinesis" && transport !== "http") {
    problems.push('transport: expected "auto", "kinesis" or "http"');
  }
  const sampleIntervalMs = input.sampleIntervalMs ?? 200;
  if (
    typeof sampleIntervalMs !== "number" ||
    !Number.isInteger(sampleIntervalMs) ||
    sampleIntervalMs < 0 ||
    sampleIntervalMs > 60_000
  ) {
    problems.push("sampleIntervalMs: expected an integer from 0 to 60000");
  }

  const overrides = input.endpoints ?? {};
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    problems.push("endpoints: expected an object with kinesis, cognitoIdentity and sts URLs");
  }
  const given = (typeof overrides === "object" && overrides !== null ? overrides : {}) as Record<
    string,
    unknown
  >;
  const endpoint = (name: "kinesis" | "cognitoIdentity" | "sts", host: string) =>
    given[name] === undefined
      ? `https://${host}.${region}.amazonaws.com/`
      : (url(`endpoints.${name}`, given[name], false) ?? "");
  const endpoints = {
    kinesis: endpoint("kinesis", "kinesis"),
    cognitoIdentity: endpoint("cognitoIdentity", "cognito-identity"),
    sts: endpoint("sts", "sts"),
  };

  if ((identityPoolId === null) !== (guestRoleArn === null)) {
    problems.push(
      "identityPoolId and guestRoleArn: give both (Kinesis through guest credentials) or neither",
    );
  }
  if (transport === "kinesis" && identityPoolId === null)
    problems.push('transport "kinesis" needs identityPoolId and guestRoleArn');
  if (transport === "http" && ingestUrl === null) problems.push('transport "http" needs ingestUrl');
  if (identityPoolId === null && ingestUrl === null)
    problems.push("config names no way to send events: no identityPoolId, no ingestUrl");

  if (problems.length > 0) throw new ConfigError(`config.json: ${problems.join("; ")}`);
  return {
    region,
    streamName,
    identityPoolId,
    guestRoleArn,
    ingestUrl,
    transport: transport as SiteConfig["transport"],
    sampleIntervalMs: sampleIntervalMs as number,
    endpoints,
  };
}

export async function loadConfig(url = "config.json"): Promise<SiteConfig> {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new ConfigError(`config.json: HTTP ${response.status}`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError("config.json is not valid JSON");
  }
  return parseConfig(raw);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}
