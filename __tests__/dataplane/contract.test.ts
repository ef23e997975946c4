import {
  DEVICE_ID_PATTERN,
  encodeEvent,
  isDeviceEvent,
  newDeviceId,
  validateEvent,
} from "../../events/contract";

const valid = { magnitude: 7, time: "2023-05-24T18:56:56.800Z", device: "client-61751e743724" };

describe("event contract", () => {
  it("accepts the demo's event and variants within the contract", () => {
    expect(validateEvent(valid)).toEqual([]);
    expect(validateEvent({ ...valid, magnitude: 0 })).toEqual([]);
    expect(validateEvent({ ...valid, magnitude: 231.5 })).toEqual([]);
    expect(validateEvent({ ...valid, time: "2024-02-29T23:59:59Z" })).toEqual([]);
    expect(validateEvent({ ...valid, device: "client-abcdef" })).toEqual([]);
  });

  it.each([
    ["magnitude", { ...valid, magnitude: -1 }],
    ["magnitude", { ...valid, magnitude: "7" }],
    ["magnitude", { ...valid, magnitude: null }],
    ["magnitude", { ...valid, magnitude: Number.POSITIVE_INFINITY }],
    ["time", { ...valid, time: "2023-05-24 18:56:56" }],
    ["time", { ...valid, time: "2023-05-24T18:56:56.800+02:00" }],
    ["time", { ...valid, time: "2023-02-30T10:00:00Z" }],
    ["time", { ...valid, time: "2023-05-24T24:00:00Z" }],
    ["device", { ...valid, device: "client-61751E743724" }],
    ["device", { ...valid, device: "client-12345" }],
    ["device", { ...valid, device: `client-${"a".repeat(65)}` }],
    ["device", { ...valid, device: "phone-61751e743724" }],
    ["magnitude", { ...valid, magnitude: 3000.5 }],
    ["magnitude", { ...valid, magnitude: Number.MAX_VALUE }],
    ["event", { ...valid, extra: 1 }],
  ])("rejects a bad %s", (field, event) => {
    expect(validateEvent(event, 3)).toEqual([expect.objectContaining({ index: 3, field })]);
    expect(isDeviceEvent(event)).toBe(false);
  });

  it("lists every problem of one event and rejects non-objects", () => {
    expect(validateEvent({ magnitude: -2 }).map((error) => error.field)).toEqual([
      "magnitude",
      "time",
      "device",
    ]);
    expect(validateEvent([valid])).toEqual([expect.objectContaining({ field: "event" })]);
    expect(validateEvent("x")).toEqual([expect.objectContaining({ field: "event" })]);
  });

  it("encodes the three fields in a fixed order, whatever the input order", () => {
    const shuffled = { device: valid.device, time: valid.time, magnitude: valid.magnitude };
    expect(encodeEvent(shuffled)).toBe(
      '{"magnitude":7,"time":"2023-05-24T18:56:56.800Z","device":"client-61751e743724"}',
    );
  });

  it("makes fresh device ids that satisfy the contract", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newDeviceId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(DEVICE_ID_PATTERN);
  });
});

describe("event contract against hostile values", () => {
  it("describes any value by its type, never by serializing it", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(validateEvent({ ...valid, magnitude: deep })).toEqual([
      {
        index: 0,
        field: "magnitude",
        message: "expected a finite number from 0 to 3000, got an array of 1 item(s)",
      },
    ]);
    expect(validateEvent({ ...valid, time: { nested: deep } })[0].message).toMatch(/got an object$/);
    expect(validateEvent({ ...valid, device: "x".repeat(100_000) })[0].message.length).toBeLessThan(200);
  });

  it("refuses an event with more fields than the contract without listing them", () => {
    const crowded: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) crowded[`k${i}`] = i;
    expect(validateEvent(crowded, 2)).toEqual([
      {
        index: 2,
        field: "event",
        message: "has more than 3 fields: an event has only magnitude, time and device",
      },
    ]);
  });

  it("cuts the names of unknown fields it echoes", () => {
    const [error] = validateEvent({ magnitude: 1, time: valid.time, ["x".repeat(5000)]: 1 }).filter((e) =>
      e.message.startsWith("unknown field"),
    );
    expect(error.field).toBe(`${"x".repeat(40)}…`);
  });

  it("checks the time against a window around the receiving clock, when given one", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    const at = (time: string) => validateEvent({ ...valid, time }, 0, { now }).map((e) => e.field);
    expect(at("2026-03-01T11:59:00Z")).toEqual([]);
    expect(at("2026-02-28T12:00:01Z")).toEqual([]);
    expect(at("2026-03-01T12:14:00Z")).toEqual([]);
    expect(at("9999-01-01T00:00:00Z")).toEqual(["time"]);
    expect(at("0100-01-01T00:00:00Z")).toEqual(["time"]);
    expect(at("2026-02-28T11:59:00Z")).toEqual(["time"]);
    expect(at("2026-03-01T12:16:00Z")).toEqual(["time"]);
    const bounds = { magnitudeMax: 10, maxAgeMs: 60_000, maxAheadMs: 0 };
    expect(
      validateEvent({ ...valid, time: "2026-03-01T11:58:00Z", magnitude: 11 }, 0, { now, bounds }),
    ).toEqual([
      expect.objectContaining({
        field: "magnitude",
        message: "expected a finite number from 0 to 10, got 11",
      }),
      expect.objectContaining({
        field: "time",
        message: expect.stringContaining("(1 minutes before to 0 minutes after)"),
      }),
    ]);
  });

  it("adds the receive time to the record body only when given", () => {
    expect(JSON.parse(encodeEvent(valid, "2026-03-01T12:00:00.000Z"))).toEqual({
      ...valid,
      received_at: "2026-03-01T12:00:00.000Z",
    });
    expect(JSON.parse(encodeEvent(valid))).toEqual(valid);
  });
});
