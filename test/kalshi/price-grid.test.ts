import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  gridOfStructure,
  PriceGrid,
  parsePriceRanges,
  STRUCTURE_RANGES,
} from "../../src/kalshi/price-grid.js";
import { parseRestMarket } from "../../src/kalshi/rest-types.js";

describe("PriceGrid from price_ranges", () => {
  it("reads Kalshi's price_ranges ({start, end, step} dollar strings) into a dense grid", () => {
    // tapered_deci_cent as GET /markets lists it
    const grid = parsePriceRanges([
      { start: "0.0000", end: "0.1000", step: "0.0010" },
      { start: "0.1000", end: "0.9000", step: "0.0100" },
      { start: "0.9000", end: "1.0000", step: "0.0010" },
    ]);
    assert.ok(grid !== null);
    assert.equal(grid.levelCount, 100 + 79 + 100); // 0.001–0.100, 0.11–0.89, 0.900–0.999
    assert.deepEqual([grid.minTick, grid.maxTick], [10, 9990]);
    assert.equal(grid.levelOf(10), 0);
    assert.equal(grid.levelOf(1000), 99); // a boundary sits on both ranges, once
    assert.equal(grid.levelOf(1100), 100);
    assert.equal(grid.levelOf(1150), -1);
    assert.equal(grid.levelOf(9990), grid.levelCount - 1);
    for (let l = 0; l < grid.levelCount; l++) assert.equal(grid.levelOf(grid.tickAt(l)), l);
    assert.equal(grid, gridOfStructure("tapered_deci_cent"), "identical grids are one interned object");
    assert.deepEqual(grid.toPriceRanges()[1], { start: "0.1000", end: "0.9000", step: "0.0100" });
  });

  it("knows $0.0001 grids at the edges and in the centre", () => {
    const edges = gridOfStructure("center_deci_edge_centi_cent");
    assert.ok(edges.isOnGrid(15) && edges.isOnGrid(9985) && edges.isOnGrid(4530));
    assert.ok(!edges.isOnGrid(4537));
    const centre = gridOfStructure("center_centi_edge_cent");
    assert.ok(centre.isOnGrid(4537) && centre.isOnGrid(300) && !centre.isOnGrid(315));
    assert.equal(PriceGrid.full().levelCount, 9999);
    for (const name of Object.keys(STRUCTURE_RANGES) as Array<keyof typeof STRUCTURE_RANGES>) {
      const g = gridOfStructure(name);
      assert.equal(parsePriceRanges(g.toPriceRanges()), g, `${name} round-trips through price_ranges`);
    }
  });

  it("rejects malformed ranges with the reason, and treats an absent field as absent", () => {
    assert.equal(parsePriceRanges(undefined), null);
    assert.equal(parsePriceRanges([]), null);
    assert.throws(() => parsePriceRanges("0.01"), /not an array/);
    assert.throws(
      () => parsePriceRanges([{ start: "0.00", end: "1.00", step: "0.00005" }]),
      /\$0\.0001 grid/,
    );
    assert.throws(() => parsePriceRanges([{ start: "0.00", end: "1.00", step: "0" }]), /bad price range/);
    const market = parseRestMarket({ ticker: "KX-A", price_ranges: [{ start: "x" }] });
    assert.equal(market.priceGrid, null);
    assert.match(market.priceRangesProblem, /not on the \$0\.0001 grid/);
    const ok = parseRestMarket({
      ticker: "KX-B",
      price_level_structure: "some_future_structure",
      price_ranges: [{ start: "0.0000", end: "1.0000", step: "0.0001" }],
    });
    assert.equal(ok.priceGrid, PriceGrid.full(), "validity comes from the ranges, not the name");
  });

  it("snaps to the nearest valid price in either direction, bounded to the grid", () => {
    const cents = gridOfStructure("linear_cent");
    assert.deepEqual(
      [cents.snapDown(4199), cents.snapUp(4101), cents.snapDown(5), cents.snapUp(9999)],
      [4100, 4200, 100, 9900],
    );
  });
});
