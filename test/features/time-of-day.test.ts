import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  daysFromCivil,
  dstEndUtcMs,
  dstStartUtcMs,
  NewYorkClock,
  timeOfDayFromHour,
  yearFromDays,
} from "../../src/features/time-of-day.js";

const utc = (iso: string) => Date.parse(iso);

describe("America/New_York hour without Intl (observation-v1.md §6.4)", () => {
  it("14:30 UTC on 10 March 2026 is 10:30 EDT, so time_of_day = 1/7", () => {
    const clock = new NewYorkClock();
    assert.equal(clock.hour(1773153000000), 10);
    assert.equal(timeOfDayFromHour(10), 1 / 7);
  });

  it("knows the 2026 transitions: 8 March 07:00 UTC and 1 November 06:00 UTC", () => {
    assert.equal(dstStartUtcMs(2026), utc("2026-03-08T07:00:00Z"));
    assert.equal(dstEndUtcMs(2026), utc("2026-11-01T06:00:00Z"));
    assert.equal(dstStartUtcMs(2024), utc("2024-03-10T07:00:00Z"));
    assert.equal(dstEndUtcMs(2024), utc("2024-11-03T06:00:00Z"));
  });

  const table: Array<[string, number]> = [
    ["2026-03-08T06:59:59.999Z", 1], // 01:59:59 EST
    ["2026-03-08T07:00:00.000Z", 3], // jumps to 03:00 EDT
    ["2026-03-08T13:00:00.000Z", 9],
    ["2026-11-01T05:59:59.999Z", 1], // 01:59:59 EDT
    ["2026-11-01T06:00:00.000Z", 1], // back to 01:00 EST
    ["2026-11-01T07:00:00.000Z", 2],
    ["2026-01-01T04:59:59.000Z", 23], // 31 Dec 23:59 EST, previous local year
    ["2026-07-04T20:59:00.000Z", 16],
    ["2026-07-04T21:00:00.000Z", 17],
  ];
  for (const [iso, hour] of table)
    it(`${iso} is hour ${hour} in New York`, () => assert.equal(new NewYorkClock().hour(utc(iso)), hour));

  it("time_of_day is (h − 9)/7 for 9 ≤ h ≤ 16 and 0 otherwise", () => {
    assert.deepEqual([8, 9, 12, 16, 17, 0].map(timeOfDayFromHour), [0, 0, 3 / 7, 1, 0, 0]);
  });

  it("agrees with Intl for random instants 2007–2060 (the §6.4 rule holds since 2007), including a reused clock", () => {
    const fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/New_York",
      hour: "numeric",
      hourCycle: "h23",
    });
    const clock = new NewYorkClock();
    fc.assert(
      fc.property(fc.integer({ min: 1167609600000, max: 2840140800000 }), (tMs) => {
        assert.equal(clock.hour(tMs), Number(fmt.format(tMs)));
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  it("civil-day helpers round-trip", () => {
    assert.equal(daysFromCivil(1970, 1, 1), 0);
    assert.equal(yearFromDays(daysFromCivil(2026, 12, 31)), 2026);
    assert.equal(yearFromDays(daysFromCivil(2027, 1, 1)), 2027);
    assert.equal(yearFromDays(-1), 1969);
  });
});
