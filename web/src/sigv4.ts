/**
 * AWS Signature Version 4 on WebCrypto, for the few signed calls the page makes (Kinesis PutRecords).
 * A dozen lines of crypto instead of the SDK keeps the page's script small.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  /** Headers to send and sign. `host`, `x-amz-date` and `x-amz-security-token` are added. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SigningContext {
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly service: string;
  readonly date?: Date;
}

const encoder = new TextEncoder();

/**
 * The headers to send with the request: the given ones plus `x-amz-date`, `x-amz-security-token` (with
 * temporary credentials) and `authorization`. `host` is signed but left out, since browsers set it themselves.
 */
export async function signRequest(
  request: SignableRequest,
  context: SigningContext,
): Promise<Record<string, string>> {
  const { credentials, region, service, date = new Date() } = context;
  const url = new URL(request.url);
  const amzDate = date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
  const shortDate = amzDate.slice(0, 8);
  const scope = `${shortDate}/${region}/${service}/aws4_request`;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers["x-amz-date"] = amzDate;
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  const signed: Record<string, string> = { ...headers, host: url.host };

  const names = Object.keys(signed).sort();
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(url.pathname),
    canonicalQuery(url.searchParams),
    names.map((name) => `${name}:${signed[name].trim().replace(/\s+/g, " ")}\n`).join(""),
    signedHeaders,
    toHex(await sha256(request.body)),
  ].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, toHex(await sha256(canonicalRequest))].join("\n");

  let key: ArrayBuffer = encoder.encode(`AWS4${credentials.secretAccessKey}`).buffer as ArrayBuffer;
  for (const part of [shortDate, region, service, "aws4_request"]) key = await hmac(key, part);
  const signature = toHex(await hmac(key, stringToSign));

  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

/** RFC 3986 encoding, as SigV4 wants it: everything but unreserved characters. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The URL's (already encoded) path, normalized and encoded once more, as every service but S3 expects. */
function canonicalPath(pathname: string): string {
  const segments: string[] = [];
  for (const segment of pathname.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && pathname.endsWith("/") ? "/" : "";
  return `/${segments.map(escapeUri).join("/")}${trailing}`;
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .filter(([name]) => name.toLowerCase() !== "x-amz-signature")
    .map(([name, value]) => [escapeUri(name), escapeUri(value)])
    .sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

/** Code-point order, as SigV4 sorts (localeCompare would not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function sha256(data: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(data));
}

async function hmac(key: ArrayBuffer, data: string): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data));
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
