import type { DeviceEvent } from "../../events/contract";
import { AwsCallError } from "../../web/src/aws";
import { ConfigError, parseConfig } from "../../web/src/config";
import { PeakSampler, STANDARD_GRAVITY, magnitudeOf } from "../../web/src/motion";
import { EventSender, type SenderStats } from "../../web/src/sender";
import { RejectedBatchError, type SendOutcome, type Transport } from "../../web/src/transports";

const event = (magnitude: number): DeviceEvent => ({
  magnitude,
  time: "2023-05-24T18:56:56.800Z",
  device: "client-abcdef",
});

describe("parseConfig", () => {
  const minimal = {
    region: "eu-west-1",
    streamName: "events-dev",
    identityPoolId: "eu-west-1:0b4f2c9e-1d2a-4e5f-9a8b-7c6d5e4f3a2b",
    guestRoleArn: "arn:aws:iam::123456789012:role/guest",
    ingestUrl: null,
  };

  it("fills in the defaults and the region's AWS endpoints", () => {
    expect(parseConfig(minimal)).toEqual({
      ...minimal,
      transport: "auto",
      sampleIntervalMs: 200,
      endpoints: {
        kinesis: "https://kinesis.eu-west-1.amazonaws.com/",
        cognitoIdentity: "https://cognito-identity.eu-west-1.amazonaws.com/",
        sts: "https://sts.eu-west-1.amazonaws.com/",
      },
    });
  });

  it("takes an HTTP-only config", () => {
    const config = parseConfig({
      region: "us-east-1",
      streamName: "s",
      ingestUrl: "https://x.example/events",
    });
    expect(config).toMatchObject({
      identityPoolId: null,
      guestRoleArn: null,
      ingestUrl: "https://x.example/events",
    });
  });

  it("lists every problem at once", () => {
    let thrown: unknown;
    try {
      parseConfig({
        region: "Mars",
        streamName: "bad name",
        identityPoolId: "eu-west-1:nope",
        ingestUrl: "javascript:alert(1)",
        endpoints: { kinesis: "file:///etc/passwd" },
        sampleIntervalMs: -1,
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const fields = [
      "region",
      "streamName",
      "identityPoolId",
      "ingestUrl",
      "endpoints.kinesis",
      "sampleIntervalMs",
    ];
    for (const field of fields) expect((thrown as Error).message).toContain(`${field}:`);
  });

  it("refuses a transport the config cannot serve, and half a Cognito setup", () => {
    expect(() => parseConfig({ ...minimal, transport: "http" })).toThrow('transport "http" needs ingestUrl');
    expect(() =>
      parseConfig({ ...minimal, guestRoleArn: null, ingestUrl: "https://x.example/events" }),
    ).toThrow("give both");
    expect(() => parseConfig([])).toThrow("not a JSON object");
  });
});

describe("magnitude", () => {
  it("is the distance from 1 g in tenths of m/s², rounded", () => {
    expect(magnitudeOf({ x: 0, y: 0, z: STANDARD_GRAVITY })).toBe(0);
    expect(magnitudeOf({ x: 3, y: 4, z: 0 })).toBe(48);
    expect(magnitudeOf({ x: 0, y: 0, z: STANDARD_GRAVITY + 20 })).toBe(200);
    expect(magnitudeOf({ x: 0, y: 0, z: 0 })).toBe(98);
    expect(magnitudeOf({ x: null, y: 1, z: 1 })).toBeNull();
    expect(magnitudeOf(null)).toBeNull();
  });

  it("passes on the strongest reading of each interval", () => {
    const sampler = new PeakSampler(200);
    expect(sampler.offer(5, 0)).toBe(5);
    expect(sampler.offer(9, 50)).toBeNull();
    expect(sampler.offer(2, 150)).toBeNull();
    expect(sampler.offer(3, 200)).toBe(9);
    expect(sampler.offer(1, 400)).toBe(1);
  });
});

describe("EventSender", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A transport that records batches (as magnitudes) and answers with the given outcomes in turn, then accepts. */
  function scripted(name: string, answers: Array<SendOutcome | Error>): Transport & { batches: number[][] } {
    const batches: number[][] = [];
    return {
      name,
      batches,
      send: async (events) => {
        batches.push(events.map((item) => item.magnitude));
        const answer = answers.shift() ?? { retry: [] };
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
  }

  function startSender(transports: Transport[], maxQueued = 5000) {
    let latest: SenderStats | undefined;
    const sender = new EventSender(transports, (stats) => (latest = stats), {
      batchSize: 3,
      flushIntervalMs: 100,
      maxQueued,
    });
    sender.start();
    return {
      add: (...magnitudes: number[]) => magnitudes.forEach((magnitude) => sender.add(event(magnitude))),
      stats: () => latest,
    };
  }

  it("sends a full batch at once and resends only the events the service did not take, first in line", async () => {
    const kinesis = scripted("Kinesis", [{ retry: [1] }]);
    const { add, stats } = startSender([kinesis]);

    add(0, 1, 2);
    await jest.advanceTimersByTimeAsync(0);
    expect(kinesis.batches).toEqual([[0, 1, 2]]);
    expect(stats()).toMatchObject({ accepted: 2, queued: 1 });

    add(3);
    await jest.advanceTimersByTimeAsync(1000);
    expect(kinesis.batches).toEqual([
      [0, 1, 2],
      [1, 3],
    ]);
    expect(stats()).toMatchObject({ accepted: 4, queued: 0, lost: 0, lastError: null });
  });

  it("sends a partial batch on the next tick", async () => {
    const kinesis = scripted("Kinesis", []);
    const { add } = startSender([kinesis]);
    add(7);
    await jest.advanceTimersByTimeAsync(99);
    expect(kinesis.batches).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(kinesis.batches).toEqual([[7]]);
  });

  it("retries a transient failure on the same transport after a backoff", async () => {
    const kinesis = scripted("Kinesis", [new AwsCallError("NetworkError", "Failed to fetch", 0)]);
    const http = scripted("HTTP ingest", []);
    const { add, stats } = startSender([kinesis, http]);

    add(1, 2, 3);
    await jest.advanceTimersByTimeAsync(0);
    expect(stats()).toMatchObject({
      accepted: 0,
      queued: 3,
      transport: "Kinesis",
      lastError: "Kinesis: NetworkError: Failed to fetch",
    });
    await jest.advanceTimersByTimeAsync(200);
    expect(kinesis.batches).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(kinesis.batches).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(http.batches).toEqual([]);
    expect(stats()).toMatchObject({ accepted: 3, queued: 0 });
  });

  it("moves to the next transport when the first fails for good, e.g. guests are not allowed", async () => {
    const kinesis = scripted("Kinesis", [
      new AwsCallError("NotAuthorizedException", "Unauthenticated access is not supported", 400),
    ]);
    const http = scripted("HTTP ingest", []);
    const { add, stats } = startSender([kinesis, http]);

    add(4, 5, 6);
    await jest.advanceTimersByTimeAsync(100);
    expect(kinesis.batches).toEqual([[4, 5, 6]]);
    expect(http.batches).toEqual([[4, 5, 6]]);
    expect(stats()).toMatchObject({ accepted: 3, transport: "HTTP ingest" });
  });

  it("drops a batch the service refuses as invalid, and counts it as lost", async () => {
    const http = scripted("HTTP ingest", [new RejectedBatchError("ingest refused the batch (400)")]);
    const { add, stats } = startSender([http]);
    add(1, 2, 3);
    await jest.advanceTimersByTimeAsync(0);
    expect(stats()).toMatchObject({ accepted: 0, queued: 0, lost: 3 });
  });

  it("keeps at most maxQueued events while the service is unreachable, dropping the oldest", async () => {
    const down = new AwsCallError("NetworkError", "Failed to fetch", 0);
    const kinesis = scripted("Kinesis", [down, down, down, down, down, down]);
    const { add, stats } = startSender([kinesis], 4);
    add(1, 2, 3);
    await jest.advanceTimersByTimeAsync(0);
    add(4, 5, 6);
    expect(stats()).toMatchObject({ queued: 4, lost: 2 });
  });
});
