import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  centsToTicks,
  countToHundredths,
  dollarsToMicros,
  dollarsToTicks,
  formatHundredths,
  formatMicros,
  formatTicks,
} from "../../src/kalshi/units.js";

describe("units", () => {
  it("reads dollar prices into $0.0001 ticks, strings or numbers", () => {
    const cases: Array<[string | number, number]> = [
      ["0.4150", 4150],
      ["0.42", 4200],
      ["0.001", 10],
      ["0.0001", 1],
      ["0.0015", 15],
      ["0.4537", 4537],
      ["0.9999", 9999],
      [".5", 5000],
      [0.415, 4150],
      [0.62, 6200],
      [0.4155, 4155],
      ["0.41555", Number.NaN], // off the $0.0001 grid
      ["0.41550", 4155],
      ["1.0000", Number.NaN], // out of range
      ["0.0000", Number.NaN],
      ["-0.10", Number.NaN],
      ["abc", Number.NaN],
      ["", Number.NaN],
      ["0.4e1", Number.NaN],
      [0.41555, Number.NaN],
    ];
    for (const [input, want] of cases) assert.deepEqual(dollarsToTicks(input), want, `input ${input}`);
  });

  it("reads legacy cent prices", () => {
    assert.equal(centsToTicks(42), 4200);
    assert.equal(centsToTicks("7"), 700);
    assert.ok(Number.isNaN(centsToTicks(0)));
    assert.ok(Number.isNaN(centsToTicks(100)));
    assert.ok(Number.isNaN(centsToTicks(4.5)));
  });

  it("reads signed counts into hundredths and refuses a third decimal", () => {
    assert.equal(countToHundredths("12.50"), 1250);
    assert.equal(countToHundredths("-7.25"), -725);
    assert.equal(countToHundredths("100"), 10000);
    assert.equal(countToHundredths(12.5), 1250);
    assert.equal(countToHundredths("1.000"), 100);
    assert.ok(Number.isNaN(countToHundredths("1.005")));
    assert.ok(Number.isNaN(countToHundredths(1.005)));
  });

  it("formats ticks, sizes and money as Kalshi writes them", () => {
    assert.equal(formatTicks(4150), "0.4150");
    assert.equal(formatTicks(5), "0.0005");
    assert.equal(formatTicks(4537), "0.4537");
    assert.equal(formatHundredths(1250), "12.50");
    assert.equal(formatHundredths(-725), "-7.25");
    assert.equal(formatMicros(1_234_500), "1.2345");
    assert.equal(formatMicros(1_234_567), "1.234567");
    assert.equal(dollarsToMicros("100.0000"), 100_000_000);
  });
});
