import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { request as httpRequest } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { DEVICE_ID_PATTERN } from "../../events/contract";
import { createIngestHandler } from "../../lambda/ingest/ingest";
import { createKinesisClient } from "../../lambda/ingest/kinesis-client";
import { readIngestSettings } from "../../lambda/ingest/settings";
import { buildSite, withConnectSources } from "../../web/build";
import { TEST_REGION, createStream, readAllEvents, startKinesis, type LocalKinesis } from "./kinesis-helpers";
import { allowCors, listen, startIngestServer, type LocalServer } from "./servers";

function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium"];
  try {
    candidates.push(execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim());
  } catch {
    // Not on PATH.
  }
  return candidates.find((candidate): candidate is string => !!candidate && fs.existsSync(candidate));
}

const executablePath = findChromium();
// Without Chromium the suite is skipped under a name that says why; the skip-notice reporter repeats it
// after jest's summary, where it cannot be missed.
const describeWithBrowser = executablePath
  ? describe
  : (name: string, body: () => void) =>
      describe.skip(
        `${name} (SKIPPED: no Chromium in $CHROMIUM_PATH, /usr/bin/chromium or on PATH; apt-get install chromium)`,
        body,
      );

const POOL_ID = "us-east-1:0b4f2c9e-1d2a-4e5f-9a8b-7c6d5e4f3a2b";
const ROLE_ARN = "arn:aws:iam::123456789012:role/lakestack-guest-dev";
const KINESIS_STREAM = "seismograph";
const FALLBACK_STREAM = "seismograph-http";
const STANDARD_GRAVITY = 9.80665;

/** What the fake services saw, for assertions and failure messages. */
const identityCalls: string[] = [];
const verdicts: string[] = [];

/** Issued credentials by access key, so the signature check knows the secret. */
const issued = new Map<string, { secretAccessKey: string; sessionToken: string }>();

/** Cognito Identity (GetId, GetOpenIdToken) and STS (AssumeRoleWithWebIdentity), as AWS answers them. */
function startFakeIdentityServices(calls: string[]): Promise<LocalServer> {
  const identities = new Set<string>();
  const tokens = new Set<string>();
  return listen((request, body, response) => {
    if (allowCors(request, response)) return;
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(value));
    };
    if (request.url === "/cognito") {
      const target = String(request.headers["x-amz-target"]);
      const input = JSON.parse(body.toString("utf8")) as Record<string, string>;
      calls.push(target.split(".").pop() ?? target);
      if (target === "AWSCognitoIdentityService.GetId") {
        if (input.IdentityPoolId !== POOL_ID)
          return json(400, {
            __type: "NotAuthorizedException",
            message: "Unauthenticated access is not supported for this identity pool.",
          });
        const identityId = `us-east-1:${randomUUID()}`;
        identities.add(identityId);
        return json(200, { IdentityId: identityId });
      }
      if (target === "AWSCognitoIdentityService.GetOpenIdToken" && identities.has(input.IdentityId)) {
        const token = `token-${randomUUID()}`;
        tokens.add(token);
        return json(200, { IdentityId: input.IdentityId, Token: token });
      }
      return json(400, { __type: "ResourceNotFoundException", message: "Identity not found" });
    }
    if (request.url === "/sts") {
      const form = new URLSearchParams(body.toString("utf8"));
      calls.push(form.get("Action") ?? "?");
      if (form.get("RoleArn") !== ROLE_ARN || !tokens.has(form.get("WebIdentityToken") ?? "")) {
        response.writeHead(403, { "content-type": "text/xml" });
        response.end(
          "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized</Message></Error></ErrorResponse>",
        );
        return;
      }
      const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
      const credentials = {
        secretAccessKey: randomBytes(20).toString("base64"),
        sessionToken: randomBytes(40).toString("base64"),
      };
      issued.set(accessKeyId, credentials);
      response.writeHead(200, { "content-type": "text/xml" });
      response.end(`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
      <SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>
      <SessionToken>${credentials.sessionToken}</SessionToken>
      <Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`);
      return;
    }
    response.writeHead(404);
    response.end();
  });
}

/**
 * kinesalite accepts any signature; this proxy in front of it recomputes each one with the AWS SDK's signer
 * and the secret STS issued, so the page's requests must be signed exactly as AWS would check them.
 */
function startSignatureCheckingProxy(kinesisEndpoint: string, verdicts: string[]): Promise<LocalServer> {
  return listen(async (request, body, response) => {
    if (request.method === "POST") {
      const verdict = await checkSignature(request.method, request.url ?? "/", request.headers, body);
      verdicts.push(verdict);
      if (verdict !== "valid") {
        response.writeHead(403, {
          "content-type": "application/x-amz-json-1.1",
          "access-control-allow-origin": "*",
        });
        response.end(JSON.stringify({ __type: "InvalidSignatureException", message: verdict }));
        return;
      }
    }
    const target = new URL(request.url ?? "/", kinesisEndpoint);
    const forwarded = httpRequest(
      target,
      { method: request.method, headers: request.headers },
      (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      },
    );
    forwarded.end(body);
  });
}

async function checkSignature(
  method: string,
  url: string,
  headers: NodeJS.Dict<string | string[]>,
  body: Buffer,
): Promise<string> {
  const authorization = String(headers.authorization ?? "");
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
      authorization,
    );
  if (!match) return `malformed authorization: ${authorization}`;
  const [, accessKeyId, region, service, signedHeaders] = match;
  const secret = issued.get(accessKeyId);
  if (!secret) return `unknown access key ${accessKeyId}`;
  const signedNames = signedHeaders.split(";");
  if (!signedNames.includes("host") || !signedNames.includes("x-amz-security-token"))
    return `too few signed headers: ${signedHeaders}`;
  const amzDate = String(headers["x-amz-date"]);
  const signingDate = new Date(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"),
  );
  const parsed = new URL(url, `http://${String(headers.host)}`);
  const signer = new SignatureV4({
    credentials: { accessKeyId, ...secret },
    region,
    service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const expected = await signer.sign(
    new HttpRequest({
      method,
      hostname: parsed.hostname,
      port: Number(parsed.port),
      path: parsed.pathname,
      headers: Object.fromEntries(signedNames.map((name) => [name, String(headers[name])])),
      body: body.toString("utf8"),
    }),
    { signingDate },
  );
  return expected.headers.authorization === authorization ? "valid" : "signature mismatch";
}

interface Site {
  readonly url: string;
  readonly close: () => Promise<void>;
}

/** The origins of the URLs a config.json names, as a deploy lists them in the page's CSP. */
function originsOf(config: Record<string, unknown>): string[] {
  const endpoints = Object.values((config.endpoints ?? {}) as Record<string, string>);
  const urls = [...endpoints, config.ingestUrl].filter((url): url is string => typeof url === "string");
  return [...new Set(urls.map((url) => new URL(url).origin))];
}

/**
 * The built page, laid out as the site bucket serves it, with a test config.json at the root and its
 * Content-Security-Policy listing exactly `connectSources` (by default, what config.json names).
 */
async function serveSite(
  config: Record<string, unknown>,
  connectSources: readonly string[] = originsOf(config),
): Promise<Site> {
  const files = new Map(buildSite().files.map((file) => [`/${file.key}`, file]));
  const server = await listen((request, _body, response) => {
    const pathname = new URL(request.url ?? "/", "http://site").pathname;
    if (pathname === "/config.json") {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
      response.end(JSON.stringify(config));
      return;
    }
    const file = files.get(pathname === "/" ? "/index.html" : pathname);
    if (!file) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { "content-type": file.contentType, "cache-control": file.cacheControl });
    const content = fs.readFileSync(file.path);
    response.end(
      file.key === "index.html" ? withConnectSources(content.toString("utf8"), connectSources) : content,
    );
  });
  return { url: `${server.url}/`, close: server.close };
}

/** Feeds the page motion readings whose acceleration (gravity included) has the given length. */
async function shake(page: Page, totals: readonly number[]): Promise<void> {
  await page.evaluate((lengths) => {
    for (const length of lengths) {
      window.dispatchEvent(
        new DeviceMotionEvent("devicemotion", {
          accelerationIncludingGravity: { x: length * 0.6, y: 0, z: length * 0.8 },
          interval: 16,
        }),
      );
    }
  }, totals);
}

/** Presses Start and waits for the page to listen: input events reach the page a frame later than scripts. */
async function start(page: Page): Promise<void> {
  await page.click("#start");
  await page.locator("#start", { hasText: "Stop" }).waitFor();
}

/** Waits until the page counts this many accepted events; on timeout, says what the page shows instead. */
async function waitForAccepted(page: Page, count: number): Promise<void> {
  try {
    await page.waitForFunction(
      (expected) => document.getElementById("accepted")?.textContent === String(expected),
      count,
    );
  } catch (error) {
    const shown = await page.evaluate(() =>
      ["status", "current", "accepted", "queued", "transport", "error"].map(
        (id) => `#${id}: ${document.getElementById(id)?.textContent}`,
      ),
    );
    throw new Error(
      `${String(error)}\npage shows ${shown.join(", ")}\nidentity calls ${identityCalls.join(", ")}; signatures ${verdicts.join(", ")}`,
      { cause: error },
    );
  }
}

interface PageOptions {
  readonly viewport?: { width: number; height: number };
  /** Make the page ask for motion access the way iOS Safari does, and answer this. */
  readonly motionPermission?: "granted" | "denied";
  /** The CSP's connect-src besides 'self'. @default the origins config.json names */
  readonly connectSources?: readonly string[];
}

/**
 * Runs in the page before its script: gives DeviceMotionEvent Safari's static requestPermission, which
 * records whether it was called properly (as a method, during a user gesture) and answers as told.
 */
function askLikeSafari(answer: "granted" | "denied"): void {
  const asked: Array<{ asMethod: boolean; duringGesture: boolean }> = [];
  Object.assign(window, { motionPermissionRequests: asked });
  Object.assign(DeviceMotionEvent, {
    requestPermission(this: unknown) {
      asked.push({ asMethod: this === DeviceMotionEvent, duringGesture: navigator.userActivation.isActive });
      return Promise.resolve(answer);
    },
  });
}

const motionPermissionRequests = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { motionPermissionRequests: unknown[] }).motionPermissionRequests,
  );

const magnitudesToSend = [0, 30, 48, 200, 7];
const totalsFor = (magnitudes: readonly number[]) =>
  magnitudes.map((magnitude) => STANDARD_GRAVITY + magnitude / 10);

describeWithBrowser("the seismograph page in headless Chromium", () => {
  let browser: Browser;
  let kinesis: LocalKinesis;
  const servers: Array<{ close: () => Promise<void> }> = [];
  let identityServices: LocalServer;
  let kinesisProxy: LocalServer;
  let ingest: LocalServer;

  beforeAll(async () => {
    [browser, kinesis] = await Promise.all([
      chromium.launch({
        executablePath,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      }),
      startKinesis(),
    ]);
    await Promise.all([
      createStream(kinesis.client, KINESIS_STREAM, 1),
      createStream(kinesis.client, FALLBACK_STREAM, 1),
    ]);
    const client = createKinesisClient({ region: TEST_REGION, endpoint: kinesis.endpoint });
    servers.push({ close: async () => client.destroy() });
    [identityServices, kinesisProxy, ingest] = await Promise.all([
      startFakeIdentityServices(identityCalls),
      startSignatureCheckingProxy(kinesis.endpoint, verdicts),
      startIngestServer(
        createIngestHandler({
          client,
          settings: readIngestSettings({ STREAM_NAME: FALLBACK_STREAM }),
          log: () => undefined,
        }),
      ),
    ]);
    servers.push(identityServices, kinesisProxy, ingest);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((server) => server.close()));
    await kinesis?.close();
  });

  async function openPage(
    config: Record<string, unknown>,
    { viewport = { width: 390, height: 844 }, motionPermission, connectSources }: PageOptions = {},
  ) {
    const full = {
      region: TEST_REGION,
      streamName: KINESIS_STREAM,
      sampleIntervalMs: 0,
      endpoints: {
        kinesis: kinesisProxy.url,
        cognitoIdentity: `${identityServices.url}/cognito`,
        sts: `${identityServices.url}/sts`,
      },
      ...config,
    };
    const site = await serveSite(full, connectSources ?? originsOf(full));
    servers.push(site);
    const context = await browser.newContext({
      viewport,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    context.setDefaultTimeout(10_000);
    if (motionPermission) await context.addInitScript(askLikeSafari, motionPermission);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    await page.goto(site.url);
    await page.waitForSelector("#start:not([disabled])");
    return { page, problems };
  }

  it("sends motion readings to Kinesis with Cognito basic-flow guest credentials and SigV4", async () => {
    const { page, problems } = await openPage(
      { identityPoolId: POOL_ID, guestRoleArn: ROLE_ARN, ingestUrl: null },
      { motionPermission: "granted" },
    );

    await start(page);
    await shake(page, totalsFor(magnitudesToSend));
    await waitForAccepted(page, magnitudesToSend.length);

    expect(await motionPermissionRequests(page)).toEqual([{ asMethod: true, duringGesture: true }]);
    const device = (await page.textContent("#device")) ?? "";
    expect(device).toMatch(DEVICE_ID_PATTERN);
    expect(await page.textContent("#transport")).toBe("Kinesis");
    expect(await page.textContent("#max")).toBe("200");
    expect(identityCalls).toEqual(["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.every((verdict) => verdict === "valid")).toBe(true);

    const stored = await readAllEvents(kinesis.client, KINESIS_STREAM);
    expect(stored.map(({ event }) => event.magnitude)).toEqual(magnitudesToSend);
    for (const { partitionKey, event } of stored) {
      expect(partitionKey).toBe(device);
      expect(Object.keys(event)).toEqual(["magnitude", "time", "device"]);
      expect(event.device).toBe(device);
      expect(Math.abs(Date.parse(String(event.time)) - Date.now())).toBeLessThan(60_000);
    }
    expect(problems).toEqual([]);

    // For a person to look at: the phone-sized page after the run (kept out of the repository).
    const screenshot = path.join(os.tmpdir(), "lakestack-seismograph-390x844.png");
    await page.screenshot({ path: screenshot });
    expect(fs.statSync(screenshot).size).toBeGreaterThan(0);
    await page.context().close();
  });

  it("falls back to the HTTP ingest endpoint when guest credentials are refused", async () => {
    const { page } = await openPage(
      {
        identityPoolId: "us-east-1:00000000-0000-4000-8000-000000000000",
        guestRoleArn: ROLE_ARN,
        ingestUrl: `${ingest.url}/events`,
      },
      { viewport: { width: 360, height: 740 } },
    );

    await start(page);
    await shake(page, totalsFor([12, 34]));
    await waitForAccepted(page, 2);

    expect(await page.textContent("#transport")).toBe("HTTP ingest");
    const device = await page.textContent("#device");
    const stored = await readAllEvents(kinesis.client, FALLBACK_STREAM);
    expect(stored.map(({ partitionKey, event }) => [partitionKey, event.magnitude])).toEqual([
      [device, 12],
      [device, 34],
    ]);
    // Usable at 360 px: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.context().close();
  });

  it("posts to the HTTP ingest with transport http, and its CSP lets it reach nothing else", async () => {
    const { page, problems } = await openPage(
      { identityPoolId: null, guestRoleArn: null, ingestUrl: `${ingest.url}/events`, transport: "http" },
      { connectSources: [new URL(ingest.url).origin] },
    );
    await start(page);
    await shake(page, totalsFor([21]));
    await waitForAccepted(page, 1);
    expect(await page.textContent("#transport")).toBe("HTTP ingest");
    // A call to an origin the policy does not list never leaves the browser.
    const blocked = await page.evaluate(async (url) => {
      try {
        await fetch(url, { method: "POST", body: "{}" });
        return "sent";
      } catch {
        return "blocked";
      }
    }, `${kinesisProxy.url}/`);
    expect(blocked).toBe("blocked");
    expect(problems.join("\n")).toMatch(/Content Security Policy/);
    await page.context().close();
  });

  it("explains a refused motion permission and records nothing", async () => {
    const { page } = await openPage(
      { identityPoolId: POOL_ID, guestRoleArn: ROLE_ARN, ingestUrl: null },
      { motionPermission: "denied" },
    );
    await page.click("#start");
    await page.waitForFunction(() => !document.getElementById("error")?.hidden);
    expect(await page.textContent("#error")).toBe(
      "Motion access was denied. Allow it in the browser settings and reload.",
    );
    expect(await motionPermissionRequests(page)).toEqual([{ asMethod: true, duringGesture: true }]);
    expect(await page.isDisabled("#start")).toBe(true);
    await page.context().close();
  });

  it("says what is wrong with a bad config.json, as text", async () => {
    const site = await serveSite({ region: "<b>nowhere</b>", streamName: "" });
    servers.push(site);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => !document.getElementById("error")?.hidden);
    const message = await page.textContent("#error");
    expect(message).toContain("config.json: region:");
    expect(message).toContain("streamName:");
    expect(await page.locator("#error b").count()).toBe(0);
    expect(await page.isDisabled("#start")).toBe(true);
    await context.close();
  });
});
