import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { encodeEvent, type DeviceEvent } from "../../events/contract";
import { createIngestHandler, type HttpApiResult } from "../../lambda/ingest/ingest";
import { createKinesisClient } from "../../lambda/ingest/kinesis-client";
import type { HttpApiRequest } from "../../lambda/ingest/request";
import { readIngestSettings } from "../../lambda/ingest/settings";
import {
  TEST_REGION,
  createStream,
  injectRecordFailures,
  readAllEvents,
  sampleEvent,
  startKinesis,
  type LocalKinesis,
} from "./kinesis-helpers";

const STREAM = "ingest-handler";
let kinesis: LocalKinesis;
let handler: (request: HttpApiRequest) => Promise<HttpApiResult>;
let consoleWarn: jest.SpyInstance;
const clients: KinesisClient[] = [];

function request(
  body: unknown,
  headers: Record<string, string> = { "content-type": "application/json" },
): HttpApiRequest {
  return {
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: "test-request" },
  };
}

/** Events in the stream from these devices, as written (event + partition key). */
async function storedFor(events: readonly DeviceEvent[]) {
  const devices = new Set(events.map((event) => event.device));
  return (await readAllEvents(kinesis.client, STREAM)).filter(({ partitionKey }) =>
    devices.has(partitionKey),
  );
}

/** Each event in the stream once, under its device, stamped with the time the function received it. */
async function expectStoredExactlyOnce(events: readonly DeviceEvent[]) {
  const stored = await storedFor(events);
  const bodies = stored.map(({ event }) => {
    const { received_at: receivedAt, ...sent } = event;
    expect(Math.abs(Date.parse(String(receivedAt)) - Date.now())).toBeLessThan(60_000);
    return JSON.stringify(sent);
  });
  expect(bodies.sort()).toEqual(events.map((event) => encodeEvent(event)).sort());
  for (const { partitionKey, event } of stored) expect(partitionKey).toBe(event.device);
}

function parse(result: HttpApiResult): Record<string, unknown> {
  expect(result.headers["content-type"]).toBe("application/json");
  return JSON.parse(result.body) as Record<string, unknown>;
}

beforeAll(async () => {
  kinesis = await startKinesis();
  await createStream(kinesis.client, STREAM);
  // The deployed handler logs to console.log; keep its lines for assertions instead of the test output.
  consoleWarn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
  // It reads its settings and makes its client when its module loads.
  Object.assign(process.env, {
    STREAM_NAME: STREAM,
    KINESIS_ENDPOINT: kinesis.endpoint,
    AWS_REGION: TEST_REGION,
  });
  ({ handler } = await import("../../lambda/ingest/handler"));
});

afterAll(async () => {
  consoleWarn.mockRestore();
  for (const client of clients) client.destroy();
  await kinesis.close();
});

describe("ingest handler (API Gateway HTTP API v2 events, kinesalite behind)", () => {
  it("accepts a single event", async () => {
    const event = sampleEvent({ magnitude: 3.5 });
    const result = await handler(request(event));
    expect(result.statusCode).toBe(200);
    expect(parse(result)).toEqual({ accepted: 1, rejected: 0 });
    await expectStoredExactlyOnce([event]);
  });

  it("accepts a JSON array and an {events} batch, with a charset in the content type", async () => {
    const array = [
      sampleEvent({ magnitude: 1 }),
      sampleEvent({ magnitude: 2 }),
      sampleEvent({ magnitude: 0 }),
    ];
    const wrapped = [sampleEvent({ magnitude: 40 }), sampleEvent({ magnitude: 231 })];

    const arrayResult = await handler(request(array));
    const wrappedResult = await handler(
      request({ events: wrapped }, { "content-type": "application/json; charset=UTF-8" }),
    );

    expect([arrayResult.statusCode, wrappedResult.statusCode]).toEqual([200, 200]);
    expect(parse(arrayResult)).toEqual({ accepted: 3, rejected: 0 });
    expect(parse(wrappedResult)).toEqual({ accepted: 2, rejected: 0 });
    await expectStoredExactlyOnce([...array, ...wrapped]);
  });

  it("decodes a base64-encoded body", async () => {
    const events = [sampleEvent(), sampleEvent()];
    const result = await handler({
      ...request(""),
      body: Buffer.from(JSON.stringify(events)).toString("base64"),
      isBase64Encoded: true,
    });
    expect(result.statusCode).toBe(200);
    await expectStoredExactlyOnce(events);
  });

  it("refuses a batch with invalid events with 400, listing every bad field by index, and writes nothing", async () => {
    const good = sampleEvent();
    const batch = [
      good,
      { ...sampleEvent(), magnitude: -1 },
      { magnitude: 2, time: "yesterday", device: "client-XYZ" },
    ];
    const result = await handler(request(batch));

    expect(result.statusCode).toBe(400);
    const body = parse(result);
    expect(body.message).toBe("2 of 3 events are invalid; nothing was written");
    expect(
      (body.errors as Array<{ index: number; field: string }>).map(({ index, field }) => ({ index, field })),
    ).toEqual([
      { index: 1, field: "magnitude" },
      { index: 2, field: "time" },
      { index: 2, field: "device" },
    ]);
    expect(await storedFor([good])).toEqual([]);
  });

  it.each([
    ["not JSON", "{nope", "request body is not valid JSON"],
    ["an empty batch", "[]", "the batch is empty"],
    ["a scalar", "42", 'expected an event object, an array of events, or {"events": [...]}'],
    ["events that is not an array", '{"events": {}}', '"events" must be an array of events'],
  ])("refuses %s with 400", async (_, body, message) => {
    const result = await handler(request(body));
    expect(result.statusCode).toBe(400);
    expect(parse(result).message).toBe(message);
  });

  it("refuses bodies over 1 MiB and batches over 500 events with 413", async () => {
    const oversized = await handler(request(`[${" ".repeat(1024 * 1024)}]`));
    expect(oversized.statusCode).toBe(413);
    expect(parse(oversized).message).toBe("request body is 1048578 bytes; the limit is 1048576");

    const tooMany = Array.from({ length: 501 }, () => sampleEvent());
    const crowded = await handler(request(tooMany));
    expect(crowded.statusCode).toBe(413);
    expect(parse(crowded).message).toBe("batch has 501 events; the limit is 500");
    expect(await storedFor(tooMany)).toEqual([]);
  });

  it.each([
    ["text/plain", { "content-type": "text/plain" }],
    ["a non-UTF-8 charset", { "content-type": "application/json; charset=latin1" }],
    ["no content type", {}],
  ])("refuses %s with 415", async (_, headers) => {
    const event = sampleEvent();
    consoleWarn.mockClear();
    const result = await handler(request(event, headers));
    expect(result.statusCode).toBe(415);
    expect(await storedFor([event])).toEqual([]);
    // Logged through console.warn, so Lambda's JSON log format records level WARN.
    const logged = consoleWarn.mock.calls.map(
      ([line]) => JSON.parse(String(line)) as Record<string, unknown>,
    );
    expect(logged).toEqual([expect.objectContaining({ message: "request refused", statusCode: 415 })]);
  });
});

describe("ingest handler against hostile requests", () => {
  const hostile = (body: string) => handler(request(body));

  it("answers a deeply nested value with 400, describing it by type (no 500, no stack overflow)", async () => {
    const event = sampleEvent();
    const depth = 20_000;
    const body = `{"magnitude":${"[".repeat(depth)}${"]".repeat(depth)},"time":"${event.time}","device":"${event.device}"}`;
    const result = await hostile(body);
    expect(result.statusCode).toBe(400);
    expect(parse(result).errors).toEqual([
      {
        index: 0,
        field: "magnitude",
        message: "expected a finite number from 0 to 3000, got an array of 1 item(s)",
      },
    ]);
  });

  it("keeps error responses small: 110,000 unknown keys, and a batch of 500 bad events", async () => {
    const keys: Record<string, number> = {};
    // As many keys as fit into the 1 MiB body limit.
    for (let i = 0; i < 110_000; i++) keys[i.toString(36)] = 1;
    const crowded = await hostile(JSON.stringify(keys));
    expect(crowded.statusCode).toBe(400);
    expect(crowded.body.length).toBeLessThan(1024);
    expect(parse(crowded).errors).toEqual([
      expect.objectContaining({ field: "event", message: expect.stringMatching(/more than 3 fields/) }),
    ]);

    const longName = "n".repeat(10_000);
    const bad = Array.from({ length: 500 }, () => ({ ...sampleEvent(), magnitude: -1 }));
    bad[0] = { magnitude: 1, time: bad[0].time, [longName]: 1 } as unknown as DeviceEvent;
    const batch = await hostile(JSON.stringify(bad));
    expect(batch.statusCode).toBe(400);
    const body = parse(batch);
    expect(body.message).toBe(
      "500 of 500 events are invalid; nothing was written (the first 10 of 501 problems are listed)",
    );
    expect(body.errors).toHaveLength(10);
    expect(body.errorCount).toBe(501);
    expect(batch.body.length).toBeLessThan(4096);
  });

  it.each([
    ["a magnitude near Number.MAX_VALUE", { magnitude: 1.7976931348623157e308 }, "magnitude"],
    ["a time in year 9999", { time: "9999-12-31T23:59:59Z" }, "time"],
    ["a time in year 0100", { time: "0100-01-01T00:00:00Z" }, "time"],
    ["a time two days old", { time: new Date(Date.now() - 2 * 86_400_000).toISOString() }, "time"],
    ["a time an hour ahead", { time: new Date(Date.now() + 3_600_000).toISOString() }, "time"],
  ])("refuses %s and writes nothing", async (_case, change, field) => {
    const event = { ...sampleEvent(), ...change };
    const result = await handler(request([sampleEvent(), event]));
    expect(result.statusCode).toBe(400);
    expect(parse(result).errors).toEqual([expect.objectContaining({ index: 1, field })]);
    expect(await storedFor([event])).toEqual([]);
  });

  it("refuses a batch of identical events, naming the original of each copy", async () => {
    const event = sampleEvent();
    const result = await handler(request(Array.from({ length: 500 }, () => event)));
    expect(result.statusCode).toBe(400);
    const body = parse(result);
    expect(body.errorCount).toBe(499);
    expect(body.errors).toContainEqual({
      index: 1,
      field: "event",
      message: "repeats event 0",
    });
    expect(await storedFor([event])).toEqual([]);
  });
});

describe("ingest handler when Kinesis fails some records", () => {
  function handlerWithFailures(shouldFail: (body: string, call: number) => boolean) {
    const client = createKinesisClient({ region: TEST_REGION, endpoint: kinesis.endpoint });
    clients.push(client);
    const injection = injectRecordFailures(client, shouldFail);
    const logs: string[] = [];
    const settings = readIngestSettings({
      STREAM_NAME: STREAM,
      PUT_MAX_ATTEMPTS: "3",
      PUT_BASE_DELAY_MS: "1",
    });
    return {
      handle: createIngestHandler({
        client,
        settings,
        log: (level, line) => logs.push(JSON.stringify({ level, ...JSON.parse(line) })),
      }),
      injection,
      logs,
    };
  }

  it("retries the failed records and answers 200 when they get through", async () => {
    const events = Array.from({ length: 5 }, () => sampleEvent());
    const flaky = events[3].device;
    const { handle, injection } = handlerWithFailures((body, call) => call === 1 && body.includes(flaky));

    const result = await handle(request(events));

    expect(result.statusCode).toBe(200);
    expect(injection.calls.map((call) => call.length)).toEqual([5, 1]);
    await expectStoredExactlyOnce(events);
  });

  it("answers 207 with the failed indices when some records never get through, and logs JSON", async () => {
    const events = Array.from({ length: 4 }, () => sampleEvent());
    const doomed = [events[0].device, events[2].device];
    const { handle, logs } = handlerWithFailures((body) => doomed.some((device) => body.includes(device)));

    const result = await handle(request(events));

    expect(result.statusCode).toBe(207);
    expect(parse(result)).toEqual({
      accepted: 2,
      rejected: 2,
      failed: [
        { index: 0, errorCode: "ProvisionedThroughputExceededException" },
        { index: 2, errorCode: "ProvisionedThroughputExceededException" },
      ],
    });
    await expectStoredExactlyOnce([events[1], events[3]]);
    const entries = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.filter((entry) => entry.level === "warn")).toHaveLength(2);
    expect(entries.at(-1)).toMatchObject({
      level: "error",
      requestId: "test-request",
      accepted: 2,
      rejected: 2,
      errorCodes: { ProvisionedThroughputExceededException: 2 },
    });
  });

  it("tells clients error codes only: Kinesis' messages name the stream and the account", async () => {
    const secret = "Stream seismo-prod-events under account 500000000303 not found.";
    const failing = {
      send: async () => {
        throw Object.assign(new Error(secret), { name: "ResourceNotFoundException" });
      },
    } as unknown as KinesisClient;
    const logs: string[] = [];
    const handle = createIngestHandler({
      client: failing,
      settings: readIngestSettings({ STREAM_NAME: STREAM }),
      log: (_level, line) => logs.push(line),
    });
    const result = await handle(request([sampleEvent()]));
    expect(result.statusCode).toBe(503);
    expect(result.body).not.toContain("500000000303");
    expect(parse(result)).toEqual({
      accepted: 0,
      rejected: 1,
      failed: [{ index: 0, errorCode: "ResourceNotFoundException" }],
    });
    // The operator still finds the message in the function's log.
    expect(logs.join("\n")).toContain(secret);
  });

  it("answers 503 with Retry-After when nothing gets through", async () => {
    const events = [sampleEvent(), sampleEvent()];
    const { handle } = handlerWithFailures(() => true);

    const result = await handle(request(events));

    expect(result.statusCode).toBe(503);
    expect(result.headers["retry-after"]).toBe("1");
    expect(parse(result)).toMatchObject({ accepted: 0, rejected: 2 });
    expect(await storedFor(events)).toEqual([]);
  });
});

describe("ingest settings", () => {
  it("applies the documented defaults and refuses bad values with the variable's name", () => {
    expect(readIngestSettings({ STREAM_NAME: "events" })).toEqual({
      streamName: "events",
      maxBodyBytes: 1048576,
      maxBatchRecords: 500,
      putMaxAttempts: 4,
      putBaseDelayMs: 50,
      kinesisEndpoint: undefined,
      bounds: { magnitudeMax: 3000, maxAgeMs: 86_400_000, maxAheadMs: 900_000 },
    });
    expect(
      readIngestSettings({
        STREAM_NAME: "s",
        MAGNITUDE_MAX: "500",
        MAX_EVENT_AGE_SECONDS: "3600",
        MAX_EVENT_AHEAD_SECONDS: "60",
      }).bounds,
    ).toEqual({ magnitudeMax: 500, maxAgeMs: 3_600_000, maxAheadMs: 60_000 });
    expect(() => readIngestSettings({})).toThrow(/STREAM_NAME/);
    expect(() => readIngestSettings({ STREAM_NAME: "s", MAX_BATCH_RECORDS: "lots" })).toThrow(
      /MAX_BATCH_RECORDS/,
    );
    expect(() => readIngestSettings({ STREAM_NAME: "s", KINESIS_ENDPOINT: "localhost:4567" })).toThrow(
      /KINESIS_ENDPOINT/,
    );
  });
});
