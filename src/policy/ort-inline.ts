/**
 * A synchronous `run` on onnxruntime-node's native session, for the decide thread's hot path.
 *
 * `InferenceSession.run` of onnxruntime-node (1.30) defers the native call with `setImmediate`:
 * every policy batch then costs a full turn of the decide worker's event loop (timers, an I/O
 * poll, the check phase) before a run of ~10 µs starts, and the batch's rows wait through it. The
 * native session's own `run` is synchronous: with pre-allocated output tensors it writes the
 * logits in place and returns. This module loads that native session beside the public one (same
 * model, same options) and exposes its `run`.
 *
 * The native binding is the package's internal module (`dist/binding.js`), so everything here
 * is checked at load: if the module, its exports or the session's methods are not what this code
 * expects (another onnxruntime-node version), `loadInlineRunner` returns null and the caller keeps
 * the public, deferred `run`.
 */
import { createRequire } from "node:module";
import type ort from "onnxruntime-node";

/** Runs `feeds` into the pre-allocated tensors of `fetches` before returning. */
export type InlineRun = (feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor>) => void;

export interface InlineRunner {
  run: InlineRun;
  release(): void;
}

interface NativeSession {
  loadModel(...args: unknown[]): void;
  run(feeds: unknown, fetches: unknown, options: unknown): unknown;
  dispose?(): void;
}

interface BindingModule {
  binding?: { InferenceSession?: new () => NativeSession };
  initOrt?: () => void;
}

const EMPTY_RUN_OPTIONS = {};

/** The native session for `model` (path or bytes), or null when the binding is not the expected one. */
export function loadInlineRunner(
  model: string | Uint8Array,
  options: ort.InferenceSession.SessionOptions,
): InlineRunner | null {
  let mod: BindingModule;
  try {
    mod = createRequire(import.meta.url)("onnxruntime-node/dist/binding.js") as BindingModule;
  } catch {
    return null;
  }
  const Native = mod.binding?.InferenceSession;
  if (typeof Native !== "function" || typeof mod.initOrt !== "function") return null;
  try {
    mod.initOrt();
    const session = new Native();
    if (typeof session.loadModel !== "function" || typeof session.run !== "function") return null;
    if (typeof model === "string") session.loadModel(model, options);
    else session.loadModel(model.buffer, model.byteOffset, model.byteLength, options);
    return {
      run: (feeds, fetches) => void session.run(feeds, fetches, EMPTY_RUN_OPTIONS),
      release: () => session.dispose?.(),
    };
  } catch {
    return null;
  }
}
