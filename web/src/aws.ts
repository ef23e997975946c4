import { signRequest, type SigningContext } from "./sigv4";

/** An AWS API answered with an error (or not at all); `code` is the AWS error code, e.g. "NotAuthorizedException". */
export class AwsCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status; 0 when the request never got an answer (network, CORS). */
    readonly status: number,
  ) {
    super(`${code}: ${message}`);
    this.name = "AwsCallError";
  }
}

/** One call to an AWS JSON 1.1 API (Kinesis, Cognito Identity), signed when a signing context is given. */
export async function awsJsonCall<T>(
  endpoint: string,
  target: string,
  payload: unknown,
  signing?: SigningContext,
): Promise<T> {
  const body = JSON.stringify(payload);
  const headers = { "content-type": "application/x-amz-json-1.1", "x-amz-target": target };
  const response = await send(endpoint, {
    method: "POST",
    headers: signing ? await signRequest({ method: "POST", url: endpoint, headers, body }, signing) : headers,
    body,
  });
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const type = String(
      parsed.__type ?? response.headers.get("x-amzn-errortype") ?? `HTTP${response.status}`,
    );
    const code = type.split("#").pop()?.split(":")[0] ?? type;
    throw new AwsCallError(
      code,
      String(parsed.message ?? parsed.Message ?? (text.slice(0, 200) || response.statusText)),
      response.status,
    );
  }
  return parsed as T;
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** STS AssumeRoleWithWebIdentity: unsigned, the web identity token is the proof. Answers in XML. */
export async function assumeRoleWithWebIdentity(
  endpoint: string,
  roleArn: string,
  webIdentityToken: string,
  sessionName: string,
): Promise<TemporaryCredentials> {
  const form = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: roleArn,
    RoleSessionName: sessionName,
    WebIdentityToken: webIdentityToken,
  });
  const response = await send(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: form.toString(),
  });
  const xml = new DOMParser().parseFromString(await response.text(), "application/xml");
  const field = (name: string) => xml.getElementsByTagName(name)[0]?.textContent?.trim() ?? "";
  if (!response.ok)
    throw new AwsCallError(
      field("Code") || `HTTP${response.status}`,
      field("Message") || "STS refused",
      response.status,
    );

  const credentials = {
    accessKeyId: field("AccessKeyId"),
    secretAccessKey: field("SecretAccessKey"),
    sessionToken: field("SessionToken"),
    expiration: new Date(field("Expiration")),
  };
  if (
    !credentials.accessKeyId ||
    !credentials.secretAccessKey ||
    !credentials.sessionToken ||
    Number.isNaN(credentials.expiration.getTime())
  ) {
    throw new AwsCallError("MalformedResponse", "STS answer lacks credentials", response.status);
  }
  return credentials;
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, credentials: "omit", cache: "no-store" });
  } catch (error) {
    throw new AwsCallError("NetworkError", error instanceof Error ? error.message : String(error), 0);
  }
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
