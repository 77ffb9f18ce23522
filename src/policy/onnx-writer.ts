/**
 * ONNX `ModelProto` writer (pure, cold path: used by the trainer and by tests).
 *
 * There is no Python toolchain here, so the bundled policy is written directly in the ONNX
 * protobuf format. Field numbers are those of onnx.proto (ONNX IR version 8):
 *
 *   ModelProto          ir_version=1 producer_name=2 graph=7 opset_import=8
 *   OperatorSetIdProto  domain=1 version=2
 *   GraphProto          node=1 name=2 initializer=5 input=11 output=12
 *   NodeProto           input=1 output=2 name=3 op_type=4 attribute=5
 *   AttributeProto      name=1 f=2 i=3 type=20 (AttributeType FLOAT=1, INT=2)
 *   TensorProto         dims=1 data_type=2 name=8 raw_data=9 (DataType FLOAT=1, INT64=7)
 *   ValueInfoProto      name=1 type=2
 *   TypeProto           tensor_type=1;  TypeProto.Tensor elem_type=1 shape=2
 *   TensorShapeProto    dim=1;  Dimension dim_value=1 dim_param=2
 *
 * `writeMlpOnnx` emits the model contract of docs/model-contract.md: input `obs` float32 [N, 52]
 * with N a symbolic batch dimension, Gemm(+Relu) layers, output `logits` float32 [N, A].
 */
import type { MlpModel } from "./mlp.js";
import { ProtoWriter } from "./protobuf-writer.js";

/** TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT64: 7 } as const;

const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;

/** A dimension is a fixed size (number) or a symbolic name such as "N" (dynamic). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  dims: readonly OnnxDim[];
}

export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

export type OnnxAttribute =
  | { name: string; kind: "int"; value: number }
  | { name: string; kind: "float"; value: number };

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly OnnxAttribute[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModelOptions {
  producerName?: string;
  /** default opset 17 (the version the SB3 export snippet in docs/model-contract.md uses) */
  opsetVersion?: number;
  /** default IR version 8 (ONNX 1.10+), understood by every onnxruntime since 1.10 */
  irVersion?: number;
}

function encodeAttribute(a: OnnxAttribute): Uint8Array {
  const w = new ProtoWriter().stringField(1, a.name);
  if (a.kind === "float") w.floatField(2, a.value).intField(20, ATTRIBUTE_FLOAT);
  else w.intField(3, a.value).intField(20, ATTRIBUTE_INT);
  return w.finish();
}

function encodeNode(n: OnnxNode): Uint8Array {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.stringField(1, i);
  for (const o of n.outputs) w.stringField(2, o);
  w.stringField(3, n.name).stringField(4, n.opType);
  for (const a of n.attributes ?? []) w.bytesField(5, encodeAttribute(a));
  return w.finish();
}

function float32LittleEndian(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

function encodeInitializer(t: OnnxInitializer): Uint8Array {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (expected !== t.data.length) {
    throw new RangeError(
      `initializer ${t.name}: dims [${t.dims}] need ${expected} values, got ${t.data.length}`,
    );
  }
  const w = new ProtoWriter();
  for (const d of t.dims) w.intField(1, d);
  w.intField(2, OnnxDataType.FLOAT).stringField(8, t.name).bytesField(9, float32LittleEndian(t.data));
  return w.finish();
}

function encodeValueInfo(v: OnnxValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.intField(1, d);
    else dim.stringField(2, d);
    shape.bytesField(1, dim.finish());
  }
  const tensorType = new ProtoWriter().intField(1, v.elemType).bytesField(2, shape.finish()).finish();
  const type = new ProtoWriter().bytesField(1, tensorType).finish();
  return new ProtoWriter().stringField(1, v.name).bytesField(2, type).finish();
}

function encodeGraph(g: OnnxGraph): Uint8Array {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.bytesField(1, encodeNode(n));
  w.stringField(2, g.name);
  for (const t of g.initializers) w.bytesField(5, encodeInitializer(t));
  for (const v of g.inputs) w.bytesField(11, encodeValueInfo(v));
  for (const v of g.outputs) w.bytesField(12, encodeValueInfo(v));
  return w.finish();
}

/** Serialises a graph into the bytes of an `.onnx` file. */
export function encodeOnnxModel(graph: OnnxGraph, options: OnnxModelOptions = {}): Uint8Array {
  const opset = new ProtoWriter()
    .stringField(1, "")
    .intField(2, options.opsetVersion ?? 17)
    .finish();
  return new ProtoWriter()
    .intField(1, options.irVersion ?? 8)
    .stringField(2, options.producerName ?? "kalshi-engine")
    .bytesField(7, encodeGraph(graph))
    .bytesField(8, opset)
    .finish();
}

export interface MlpGraphOptions {
  inputName?: string;
  outputName?: string;
  /** batch dimension: a symbolic name (default "N", dynamic) or a fixed size */
  batchDim?: OnnxDim;
}

/**
 * Graph of an MLP: one Gemm per layer (transB = 1, weights stored [out, in] like PyTorch's
 * nn.Linear), Relu after every layer but the last; the last layer's output is the logits.
 */
export function mlpToOnnxGraph(mlp: MlpModel, options: MlpGraphOptions = {}): OnnxGraph {
  const inputName = options.inputName ?? "obs";
  const outputName = options.outputName ?? "logits";
  const batchDim = options.batchDim ?? "N";
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  let current = inputName;
  mlp.layers.forEach((layer, i) => {
    const last = i === mlp.layers.length - 1;
    const gemmOut = last ? outputName : `h${i}`;
    initializers.push({ name: `w${i}`, dims: [layer.outSize, layer.inSize], data: layer.weights });
    initializers.push({ name: `b${i}`, dims: [layer.outSize], data: layer.bias });
    nodes.push({
      name: `gemm${i}`,
      opType: "Gemm",
      inputs: [current, `w${i}`, `b${i}`],
      outputs: [gemmOut],
      attributes: [
        { name: "alpha", kind: "float", value: 1 },
        { name: "beta", kind: "float", value: 1 },
        { name: "transB", kind: "int", value: 1 },
      ],
    });
    current = gemmOut;
    if (!last) {
      const reluOut = `a${i}`;
      nodes.push({ name: `relu${i}`, opType: "Relu", inputs: [current], outputs: [reluOut] });
      current = reluOut;
    }
  });
  const first = mlp.layers[0];
  const lastLayer = mlp.layers[mlp.layers.length - 1];
  return {
    name: "policy_mlp",
    nodes,
    initializers,
    inputs: [{ name: inputName, elemType: OnnxDataType.FLOAT, dims: [batchDim, first.inSize] }],
    outputs: [{ name: outputName, elemType: OnnxDataType.FLOAT, dims: [batchDim, lastLayer.outSize] }],
  };
}

/** Bytes of an `.onnx` file holding the MLP under the engine's model contract. */
export function writeMlpOnnx(mlp: MlpModel, options: MlpGraphOptions & OnnxModelOptions = {}): Uint8Array {
  return encodeOnnxModel(mlpToOnnxGraph(mlp, options), options);
}
