/**
 * Starts the local paper exchange as a child process (`kalshi-engine paper`) and reads the JSON
 * endpoints line it prints first. A separate process keeps the exchange's simulator off io's
 * event loop and CPU, as a real venue would be.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface PaperEndpoints {
  rest: string;
  ws: string;
  key_id: string;
  key_file: string;
  markets: string[];
}

export interface PaperChildOptions {
  markets: number;
  ratePerSec: number;
  seed: number;
  faultRate?: number;
  feedFaultRate?: number;
  extraArgs?: string[];
  /** where the child's stderr goes (default: inherited) */
  stderr?: "inherit" | "ignore";
  startTimeoutMs?: number;
}

export interface PaperChild {
  endpoints: PaperEndpoints;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The CLI entry next to this build (compiled `dist/cli/main.js`, or the `.ts` source under tsx). */
function cliEntry(): { args: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith(".ts"))
    return { args: ["--import", "tsx", fileURLToPath(new URL("../cli/main.ts", import.meta.url))] };
  return { args: [fileURLToPath(new URL("../cli/main.js", import.meta.url))] };
}

export async function startPaperChild(o: PaperChildOptions): Promise<PaperChild> {
  const args = [
    ...cliEntry().args,
    "paper",
    "--markets",
    String(o.markets),
    "--rate",
    String(o.ratePerSec),
    "--seed",
    String(o.seed),
    "--port",
    "0",
    ...(o.faultRate ? ["--fault-rate", String(o.faultRate)] : []),
    ...(o.feedFaultRate ? ["--feed-fault-rate", String(o.feedFaultRate)] : []),
    "--with-parent",
    ...(o.extraArgs ?? []),
  ];
  // stdin is the lifeline: the child exits when this process dies and the pipe closes
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", o.stderr ?? "inherit"] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const endpoints = await new Promise<PaperEndpoints>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("paper exchange did not start in time")),
      o.startTimeoutMs ?? 30_000,
    );
    child.once("exit", (code) =>
      reject(new Error(`paper exchange exited with code ${code} before it started`)),
    );
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as PaperEndpoints);
      } catch {
        reject(new Error(`paper exchange printed an unexpected first line: ${line.slice(0, 200)}`));
      }
    });
  });
  child.removeAllListeners("exit");
  return {
    endpoints,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
