import { describe, expect, it } from "vitest";
import { accessTime } from "../src/access/accessTime.ts";

describe("access time", () => {
  it("gives weekday and hour in the exchange's time zone, moving on at the boundary even when asked in turn", () => {
    const utc = accessTime("UTC");
    expect(utc(new Date("2026-11-23T23:59:59.999Z"))).toEqual({ iso: "2026-11-23T23:59:59.999Z", weekday: "Monday", hour: 23, timezone: "UTC" });
    expect(utc(new Date("2026-11-24T00:00:00.000Z"))).toMatchObject({ weekday: "Tuesday", hour: 0 });
    // Back in time within another minute: recomputed, not remembered.
    expect(utc(new Date("2026-11-22T12:00:30.000Z"))).toMatchObject({ weekday: "Sunday", hour: 12 });
  });

  it("follows half-hour offsets (Asia/Kolkata is UTC+05:30)", () => {
    const kolkata = accessTime("Asia/Kolkata");
    expect(kolkata(new Date("2026-11-23T18:29:59Z"))).toMatchObject({ weekday: "Monday", hour: 23, timezone: "Asia/Kolkata" });
    expect(kolkata(new Date("2026-11-23T18:30:00Z"))).toMatchObject({ weekday: "Tuesday", hour: 0 });
  });

  it("gives the exact instant every time, even within one minute", () => {
    const utc = accessTime("UTC");
    expect(utc(new Date("2026-11-23T10:15:01.000Z")).iso).toBe("2026-11-23T10:15:01.000Z");
    expect(utc(new Date("2026-11-23T10:15:02.500Z")).iso).toBe("2026-11-23T10:15:02.500Z");
  });
});
