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
    ["extra", { ...valid, extra: 1 }],
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
