/**
 * `make bench`: runs every `bench/*.bench.ts` (or the ones named on the command line), prints a
 * table, and writes `bench/results/latest.json` and `bench/results/latest.md` plus dated copies.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchOptions, BenchRow, BenchSection } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick") || process.env.BENCH_QUICK === "1";
const only = args.filter((a) => !a.startsWith("--"));

function fmt(n: number | undefined, digits = 1): string {
  if (n === undefined || !Number.isFinite(n)) return "";
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(digits);
}

function markdown(sections: BenchSection[], meta: Record<string, string>): string {
  const lines = ["# Benchmark results", ""];
  for (const [k, v] of Object.entries(meta)) lines.push(`- ${k}: ${v}`);
  for (const s of sections) {
    lines.push("", `## ${s.title}`, "");
    lines.push("| measurement | ops/s | ns/op | p50 µs | p99 µs | p99.9 µs | max µs | target | met | note |");
    lines.push("|---|---|---|---|---|---|---|---|---|---|");
    for (const r of s.rows) {
      const met = r.met === undefined ? "" : r.met ? "yes" : "NO";
      lines.push(
        `| ${r.name} | ${fmt(r.opsPerSec)} | ${fmt(r.nsPerOp)} | ${fmt(r.p50Us, 2)} | ${fmt(r.p99Us, 2)} | ${fmt(r.p999Us, 2)} | ${fmt(r.maxUs, 2)} | ${r.target ?? ""} | ${met} | ${r.note ?? ""} |`,
      );
    }
    if (s.failedGate) lines.push("", `**Gate failed:** ${s.failedGate}`);
  }
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const files = readdirSync(here)
    .filter((f) => f.endsWith(".bench.ts") || f.endsWith(".bench.js"))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  const options: BenchOptions = { quick };
  const sections: BenchSection[] = [];
  for (const f of files) {
    process.stderr.write(`bench: ${f} ...\n`);
    const mod = (await import(pathToFileURL(join(here, f)).href)) as {
      run: (o: BenchOptions) => Promise<BenchSection>;
    };
    const section = await mod.run(options);
    sections.push(section);
    for (const r of section.rows as BenchRow[]) {
      process.stderr.write(
        `  ${r.name}: ${r.opsPerSec ? `${fmt(r.opsPerSec)}/s ` : ""}${r.nsPerOp ? `${fmt(r.nsPerOp)} ns/op ` : ""}${r.p99Us !== undefined ? `p50 ${fmt(r.p50Us, 2)}µs p99 ${fmt(r.p99Us, 2)}µs ` : ""}${r.met === false ? "(target missed)" : ""}\n`,
      );
    }
  }
  const cpus = os.cpus();
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus[0]?.model ?? "unknown"} × ${cpus.length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    command: `make bench${quick ? " (quick)" : ""}${only.length ? ` ${only.join(" ")}` : ""}`,
  };
  const outDir = join(here, "results");
  mkdirSync(outDir, { recursive: true });
  const stamp = meta.date.slice(0, 19).replace(/[:T]/g, "-");
  const json = `${JSON.stringify({ meta, sections }, null, 2)}\n`;
  const md = markdown(sections, meta);
  writeFileSync(join(outDir, "latest.json"), json);
  writeFileSync(join(outDir, "latest.md"), md);
  writeFileSync(join(outDir, `${stamp}.json`), json);
  writeFileSync(join(outDir, `${stamp}.md`), md);
  process.stderr.write(`bench: results in ${outDir}/latest.md\n`);
  const failed = sections.filter((s) => s.failedGate);
  if (failed.length > 0) {
    for (const s of failed) process.stderr.write(`bench: GATE FAILED in ${s.title}: ${s.failedGate}\n`);
    process.exitCode = 1;
  }
}

await main();
