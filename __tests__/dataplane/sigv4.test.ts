import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";
import { signRequest, type AwsCredentials } from "../../web/src/sigv4";

const temporary: AwsCredentials = {
  accessKeyId: "ASIAEXAMPLEEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE//session+token=",
};
const longTerm: AwsCredentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const date = new Date("2026-01-02T03:04:05.678Z");

interface Case {
  readonly title: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly service: string;
}

const cases: Case[] = [
  {
    title: "Kinesis PutRecords with temporary credentials",
    method: "POST",
    url: "https://kinesis.eu-west-1.amazonaws.com/",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.PutRecords" },
    body: JSON.stringify({
      StreamName: "events-dev",
      Records: [{ Data: "eyJtIjo3fQ==", PartitionKey: "client-abcdef" }],
    }),
    credentials: temporary,
    region: "eu-west-1",
    service: "kinesis",
  },
  {
    title: "a loopback endpoint with a port",
    method: "POST",
    url: "http://127.0.0.1:4567/",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListShards" },
    body: "{}",
    credentials: temporary,
    region: "us-east-1",
    service: "kinesis",
  },
  {
    title: "a GET with an odd path, repeated and escaped query parameters, spaced header values",
    method: "GET",
    url: "https://example.us-west-2.amazonaws.com/a%20b/./c/../d%C3%A9/?z=1&a=2&a=1&b=x%2Fy&empty=&tilde=~*'",
    headers: { "X-Custom": "  spaced   out value ", "x-amz-meta-zeta": "1" },
    body: "",
    credentials: longTerm,
    region: "us-west-2",
    service: "execute-api",
  },
];

/** The same request signed by the AWS SDK's signer. */
async function sdkAuthorization(example: Case): Promise<string> {
  const url = new URL(example.url);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const request = new HttpRequest({
    method: example.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { ...example.headers, host: url.host },
    body: example.body,
  });
  const signer = new SignatureV4({
    credentials: example.credentials,
    region: example.region,
    service: example.service,
    sha256: Sha256,
    // The page sends no x-amz-content-sha256 header: only S3 needs it.
    applyChecksum: false,
  });
  const signed = await signer.sign(request, { signingDate: date });
  return signed.headers.authorization;
}

describe("the page's SigV4 signer", () => {
  it.each(cases)("signs $title exactly as @smithy/signature-v4 does", async (example) => {
    const headers = await signRequest(
      { method: example.method, url: example.url, headers: example.headers, body: example.body },
      { credentials: example.credentials, region: example.region, service: example.service, date },
    );
    expect(headers.authorization).toBe(await sdkAuthorization(example));
    expect(headers["x-amz-date"]).toBe("20260102T030405Z");
    expect(headers["x-amz-security-token"]).toBe(example.credentials.sessionToken);
    expect(headers.host).toBeUndefined();
  });

  it("matches the signature of a real PutRecords call made by the Kinesis client, for the same clock", async () => {
    let captured: { headers: Record<string, string>; body: Uint8Array; path: string } | undefined;
    const client = new KinesisClient({
      region: "ap-southeast-2",
      credentials: temporary,
      requestHandler: new NodeHttpHandler(),
    });
    // Catch the request right after the SDK signed it, and never send it.
    client.middlewareStack.addRelativeTo(
      () => async (args: { request: unknown }) => {
        captured = args.request as typeof captured;
        throw new Error("captured");
      },
      { relation: "after", toMiddleware: "httpSigningMiddleware", name: "captureSignedRequest" },
    );
    await expect(
      client.send(
        new PutRecordsCommand({
          StreamName: "events-prod",
          Records: [
            { Data: new TextEncoder().encode('{"magnitude":7}'), PartitionKey: "client-61751e743724" },
          ],
        }),
      ),
    ).rejects.toThrow("captured");
    client.destroy();
    if (!captured) throw new Error("no request captured");

    const { authorization, host, "x-amz-date": amzDate } = captured.headers;
    // What our signer adds itself, or (user-agent) never signs.
    const signable = { ...captured.headers };
    for (const name of ["authorization", "host", "x-amz-date", "x-amz-security-token", "user-agent"])
      delete signable[name];
    const sdkDate = new Date(
      amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"),
    );
    const ours = await signRequest(
      {
        method: "POST",
        url: `https://${host}${captured.path}`,
        headers: signable,
        body: new TextDecoder().decode(captured.body),
      },
      { credentials: temporary, region: "ap-southeast-2", service: "kinesis", date: sdkDate },
    );
    expect(ours.authorization).toBe(authorization);
  });
});
