/**
 * ONNX policy session (decide thread: one per piscina worker, loaded once at worker start).
 *
 * Wraps an onnxruntime-node `InferenceSession` configured for many small batches on a shared
 * machine: one intra-op and one inter-op thread (parallelism comes from the worker pool, not from
 * inside a run), sequential execution, all graph optimisations.
 *
 * At load the model is checked against the contract of docs/model-contract.md (correctness-rules.md
 * rule 21: a mismatch stops startup with a clear message, never a silent zero feed):
 * - exactly one input, a float32 tensor [N, 52] with N a dynamic batch dimension;
 * - exactly one output, a float32 tensor [N, 5] or [N, 21];
 * - a probe run on 2 rows must return float32 logits of dims [2, A].
 * Every violation throws `PolicyContractError` naming the model, what it has and what is needed.
 *
 * `run` does ONE run per batch. Input and output tensors are cached per batch size over two
 * long-lived Float32Arrays (onnxruntime-node writes into a pre-allocated output), so a steady
 * stream of batches allocates only what onnxruntime itself allocates per run. The run is the
 * native session's synchronous one (ort-inline.ts) when it loads and agrees with the public
 * session on the probe; otherwise the public `session.run`, which waits an event-loop turn.
 */
import ort from "onnxruntime-node";
import { type ActionSpace, actionSpaceForCount } from "./action-space.js";
import { argmaxRows } from "./mlp.js";
import { type InlineRunner, loadInlineRunner } from "./ort-inline.js";
import { OBSERVATION_V1_SIZE, type Policy } from "./policy.js";

export class PolicyContractError extends Error {
  override name = "PolicyContractError";
}

export interface PolicySessionOptions {
  /** trade size of the 5-action space in contracts (correctness-rules.md rule 22; default 10) */
  size5Contracts?: number;
  /** if set, the model must output exactly this many actions (5 or 21) */
  expectedActionCount?: 5 | 21;
  /** initial capacity in rows of the reused buffers; they grow on demand (default 256) */
  initialBatchRows?: number;
  /** run batches on the native session synchronously when it loads (default true; ort-inline.ts) */
  inline?: boolean;
}

const EXPORT_HINT =
  'export the policy as described in docs/model-contract.md (one input "obs" float32 [N,52], one ' +
  'output "logits" float32 [N,5] or [N,21], dynamic_axes on N)';

const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
};

/** The probe's input: a fixed, non-trivial [2,52] batch (the inline session must agree on it). */
const PROBE_INPUT = Float32Array.from({ length: 2 * 52 }, (_, i) => ((i * 37) % 19) / 9 - 1);

function shapeText(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(",")}]`;
}

function describeValue(m: ort.InferenceSession.ValueMetadata): string {
  if (!m.isTensor) return `"${m.name}" is not a tensor`;
  return `"${m.name}" is ${m.type} ${shapeText(m.shape)}`;
}

/** Throws PolicyContractError unless the session's metadata matches the contract; returns A. */
function validateMetadata(label: string, session: ort.InferenceSession, expected?: 5 | 21): number {
  const fail = (what: string): never => {
    throw new PolicyContractError(`model ${label}: ${what}; ${EXPORT_HINT}`);
  };
  if (session.inputMetadata.length !== 1) {
    fail(
      `has ${session.inputMetadata.length} inputs (${session.inputMetadata.map(describeValue).join(", ")}) ` +
        `but the engine feeds exactly one float32 [N,${OBSERVATION_V1_SIZE}] input`,
    );
  }
  const input = session.inputMetadata[0];
  if (!input.isTensor) fail(`input "${input.name}" is not a tensor but observation v1 needs float32 [N,52]`);
  if (input.isTensor && input.type !== "float32") {
    fail(`input "${input.name}" has type ${input.type} but observation v1 needs float32`);
  }
  if (input.isTensor && (input.shape.length !== 2 || input.shape[1] !== OBSERVATION_V1_SIZE)) {
    fail(
      `input "${input.name}" has shape ${shapeText(input.shape)} but observation v1 needs [N,${OBSERVATION_V1_SIZE}]`,
    );
  }
  if (input.isTensor && typeof input.shape[0] === "number") {
    fail(
      `input "${input.name}" has a fixed batch dimension ${shapeText(input.shape)} but the engine runs ` +
        `batches of any size and needs [N,${OBSERVATION_V1_SIZE}] with N dynamic`,
    );
  }
  if (session.outputMetadata.length !== 1) {
    fail(
      `has ${session.outputMetadata.length} outputs (${session.outputMetadata.map(describeValue).join(", ")}) ` +
        "but the engine reads exactly one float32 logits output [N,5] or [N,21]",
    );
  }
  const output = session.outputMetadata[0];
  if (!output.isTensor) fail(`output "${output.name}" is not a tensor but the engine needs float32 logits`);
  if (output.isTensor && output.type !== "float32") {
    fail(`output "${output.name}" has type ${output.type} but the engine needs float32 logits`);
  }
  const actionCount = output.isTensor ? output.shape[1] : undefined;
  if (output.isTensor && (output.shape.length !== 2 || (actionCount !== 5 && actionCount !== 21))) {
    fail(`output "${output.name}" has shape ${shapeText(output.shape)} but the engine needs [N,5] or [N,21]`);
  }
  if (expected !== undefined && actionCount !== expected) {
    fail(`output "${output.name}" has ${actionCount} actions but the configuration requires ${expected}`);
  }
  return actionCount as number;
}

export class PolicySession implements Policy {
  readonly description: string;
  readonly actionSpace: ActionSpace;
  readonly actionCount: number;
  private readonly inputName: string;
  private readonly outputName: string;
  private inputData: Float32Array;
  private logitsData: Float32Array;
  /** feeds / fetches over inputData / logitsData indexed by batch size, built on first use */
  private feedsByRows: (Record<string, ort.Tensor> | undefined)[] = [];
  private fetchesByRows: (Record<string, ort.Tensor> | undefined)[] = [];
  private running = false;
  /** the synchronous native run, when loaded and checked against the public session */
  private inline: InlineRunner | null = null;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly modelLabel: string,
    actionCount: number,
    options: PolicySessionOptions,
  ) {
    this.description = `onnx:${modelLabel}`;
    this.actionCount = actionCount;
    this.actionSpace = actionSpaceForCount(actionCount, options.size5Contracts);
    this.inputName = session.inputNames[0];
    this.outputName = session.outputNames[0];
    const rows = Math.max(2, options.initialBatchRows ?? 256);
    this.inputData = new Float32Array(rows * OBSERVATION_V1_SIZE);
    this.logitsData = new Float32Array(rows * actionCount);
  }

  /** Loads and validates a model file (the path is used verbatim in error messages). */
  static async load(modelPath: string, options: PolicySessionOptions = {}): Promise<PolicySession> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, SESSION_OPTIONS);
    } catch (err) {
      throw new PolicyContractError(
        `model ${modelPath}: onnxruntime cannot load it (${String(err)}); ${EXPORT_HINT}`,
      );
    }
    return PolicySession.validated(session, modelPath, modelPath, options);
  }

  /** Same as `load` for model bytes already in memory; `label` names it in errors. */
  static async fromBytes(
    bytes: Uint8Array,
    label: string,
    options: PolicySessionOptions = {},
  ): Promise<PolicySession> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, SESSION_OPTIONS);
    } catch (err) {
      throw new PolicyContractError(
        `model ${label}: onnxruntime cannot load it (${String(err)}); ${EXPORT_HINT}`,
      );
    }
    return PolicySession.validated(session, bytes, label, options);
  }

  private static async validated(
    session: ort.InferenceSession,
    model: string | Uint8Array,
    label: string,
    options: PolicySessionOptions,
  ): Promise<PolicySession> {
    try {
      const actionCount = validateMetadata(label, session, options.expectedActionCount);
      const policy = new PolicySession(session, label, actionCount, options);
      const probeLogits = await policy.probe();
      if (options.inline ?? true) policy.attachInline(model, probeLogits);
      return policy;
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /** True when batches run on the native session synchronously (ort-inline.ts). */
  get runsInline(): boolean {
    return this.inline !== null;
  }

  /**
   * A real 2-row run: the metadata can be right while the graph itself disagrees. Returns the
   * logits, for the inline session's check.
   */
  private async probe(): Promise<Float32Array> {
    const rows = 2;
    const feeds = { [this.inputName]: new ort.Tensor("float32", PROBE_INPUT, [rows, 52]) };
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await this.session.run(feeds);
    } catch (err) {
      throw new PolicyContractError(
        `model ${this.modelLabel}: a probe run on [2,52] failed (${String(err)}); ${EXPORT_HINT}`,
      );
    }
    const logits = result[this.outputName];
    const dims = logits?.dims ?? [];
    if (logits?.type !== "float32" || dims.length !== 2 || dims[0] !== rows || dims[1] !== this.actionCount) {
      throw new PolicyContractError(
        `model ${this.modelLabel}: a probe run on [2,52] returned ${logits?.type} [${dims.join(",")}] but the ` +
          `engine needs float32 [2,${this.actionCount}]; ${EXPORT_HINT}`,
      );
    }
    return logits.data as Float32Array;
  }

  /** Keeps the native session only if its probe run gives the public session's logits exactly. */
  private attachInline(model: string | Uint8Array, probeLogits: Float32Array): void {
    const inline = loadInlineRunner(model, SESSION_OPTIONS);
    if (inline === null) return;
    const rows = 2;
    const logits = new Float32Array(rows * this.actionCount);
    try {
      inline.run(
        { [this.inputName]: new ort.Tensor("float32", PROBE_INPUT, [rows, 52]) },
        { [this.outputName]: new ort.Tensor("float32", logits, [rows, this.actionCount]) },
      );
    } catch {
      inline.release();
      return;
    }
    if (logits.every((v, i) => Object.is(v, probeLogits[i]))) this.inline = inline;
    else inline.release();
  }

  private ensureRows(n: number): void {
    if (n * OBSERVATION_V1_SIZE <= this.inputData.length) return;
    let rows = this.inputData.length / OBSERVATION_V1_SIZE;
    while (rows < n) rows *= 2;
    this.inputData = new Float32Array(rows * OBSERVATION_V1_SIZE);
    this.logitsData = new Float32Array(rows * this.actionCount);
    this.feedsByRows = [];
    this.fetchesByRows = [];
  }

  /**
   * The reusable input buffer: a caller may build observations straight into
   * `inputBuffer(n)` (rows back to back) and pass it to `run` to skip the copy.
   */
  inputBuffer(n: number): Float32Array {
    this.ensureRows(n);
    return this.inputData.subarray(0, n * OBSERVATION_V1_SIZE);
  }

  /** Logits of the latest run, rows back to back (valid until the next run). */
  lastLogits(n: number): Float32Array {
    return this.logitsData.subarray(0, n * this.actionCount);
  }

  /**
   * Runs the batch of `n` rows of `obs` in one `session.run` and writes the argmax action of row
   * r to actionsOut[r] (ties → lowest index, see `argmaxRows`).
   */
  async run(obs: Float32Array, n: number, actionsOut: Int32Array): Promise<void> {
    if (n === 0) return;
    if (!(n > 0) || (n | 0) !== n) throw new RangeError(`batch size must be a positive integer, got ${n}`);
    const width = n * OBSERVATION_V1_SIZE;
    if (obs.length < width)
      throw new RangeError(`obs has ${obs.length} values, batch of ${n} needs ${width}`);
    if (actionsOut.length < n) throw new RangeError(`actionsOut has ${actionsOut.length} slots, need ${n}`);
    if (this.running) {
      // The input/output buffers are shared by every run; onnxruntime-node starts the native run
      // on a later event-loop turn, so an overlapping call would overwrite the pending input.
      throw new Error("PolicySession.run is not re-entrant: await the previous run (one batch at a time)");
    }
    this.ensureRows(n);
    if (obs.buffer !== this.inputData.buffer || obs.byteOffset !== this.inputData.byteOffset) {
      this.inputData.set(obs.length === width ? obs : obs.subarray(0, width));
    }
    let feeds = this.feedsByRows[n];
    let fetches = this.fetchesByRows[n];
    if (feeds === undefined || fetches === undefined) {
      const input = new ort.Tensor("float32", this.inputData.subarray(0, width), [n, OBSERVATION_V1_SIZE]);
      const logits = this.logitsData.subarray(0, n * this.actionCount);
      const output = new ort.Tensor("float32", logits, [n, this.actionCount]);
      feeds = { [this.inputName]: input };
      fetches = { [this.outputName]: output };
      this.feedsByRows[n] = feeds;
      this.fetchesByRows[n] = fetches;
    }
    if (this.inline !== null) this.inline.run(feeds, fetches);
    else {
      this.running = true;
      try {
        await this.session.run(feeds, fetches);
      } finally {
        this.running = false;
      }
    }
    argmaxRows(this.logitsData, n, this.actionCount, actionsOut);
  }

  decide(obs: Float32Array, n: number, actionsOut: Int32Array): Promise<void> {
    return this.run(obs, n, actionsOut);
  }

  async release(): Promise<void> {
    this.inline?.release();
    this.inline = null;
    await this.session.release();
  }
}
