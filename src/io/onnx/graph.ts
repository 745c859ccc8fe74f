/**
 * A small builder for ONNX graphs: typed graph inputs and outputs, initializers from tensors
 * (little-endian raw data), and nodes whose output names are made unique, so an exporter reads
 * like the computation it writes.
 *
 * @example
 * const g = new GraphBuilder("lm");
 * const ids = g.input("input_ids", "int64", ["T", "B"]);
 * const [e] = g.node("Gather", [g.weight("encoder.weight", model.encoder.weight), ids]);
 * g.output(e, "embedded", "float32", ["T", "B", 64]);
 * const bytes = encodeModel(g.model({ opset: 17 }));
 */
import type { Tensor } from "../../tensor/tensor.js";
import {
  AttributeType,
  DataType,
  type AttributeProto,
  type DataTypeCode,
  type Dim,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from "./proto.js";

export type ElemType = "float32" | "int32" | "int64";

const CODES: Record<ElemType, DataTypeCode> = {
  float32: DataType.FLOAT,
  int32: DataType.INT32,
  int64: DataType.INT64,
};

/** An attribute value: integers (INT), `{ float }` (FLOAT), strings, or lists of either. */
export type AttributeValue = number | { float: number } | string | number[] | string[];

function attribute(name: string, v: AttributeValue): AttributeProto {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  if (typeof v === "string") return { name, type: AttributeType.STRING, s: utf8(v) };
  if (typeof v === "object" && !Array.isArray(v))
    return { name, type: AttributeType.FLOAT, f: v.float };
  if (typeof v === "number") {
    if (!Number.isInteger(v))
      throw new Error(`exportOnnx: attribute ${name} = ${v} is not an integer`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (v.every((x) => typeof x === "string"))
    return { name, type: AttributeType.STRINGS, strings: (v as string[]).map(utf8) };
  return { name, type: AttributeType.INTS, ints: v as number[] };
}

function valueInfo(name: string, type: ElemType, dims: Dim[], doc?: string): ValueInfoProto {
  const dim = dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: CODES[type], shape: { dim } } }, docString: doc };
}

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly used = new Set<string>();

  constructor(readonly name: string) {}

  /** `base`, or `base_1`, `base_2`, … if taken. */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  input(name: string, type: ElemType, dims: Dim[], doc?: string): string {
    if (this.used.has(name)) throw new Error(`exportOnnx: duplicate graph input ${name}`);
    this.used.add(name);
    this.inputs.push(valueInfo(name, type, dims, doc));
    return name;
  }

  /** Exposes `value` as the graph output `name` (through an Identity when it has another name). */
  output(value: string, name: string, type: ElemType, dims: Dim[], doc?: string): void {
    if (value !== name) this.node("Identity", [value], {}, [name]);
    this.outputs.push(valueInfo(name, type, dims, doc));
  }

  /** A constant tensor; `dims` default to [data.length]. */
  constant(
    base: string,
    data: Float32Array | Int32Array | number[],
    dims?: number[],
    type: ElemType = data instanceof Float32Array ? "float32" : "int64",
  ): string {
    const n = data.length;
    const shape = dims ?? [n];
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== n) throw new Error(`exportOnnx: ${base} has ${n} values for shape [${shape}]`);
    const bytes = new Uint8Array(n * (type === "int64" ? 8 : 4));
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < n; i++) {
      if (type === "float32") view.setFloat32(4 * i, data[i], true);
      else if (type === "int32") view.setInt32(4 * i, data[i], true);
      else view.setBigInt64(8 * i, BigInt(data[i]), true);
    }
    const name = this.unique(base);
    this.initializers.push({ name, dims: shape, dataType: CODES[type], rawData: bytes });
    return name;
  }

  /** A float tensor (or its values laid out as `dims`) as an initializer. */
  weight(base: string, t: Tensor | Float32Array, dims?: number[]): string {
    if (t instanceof Float32Array) return this.constant(base, t, dims ?? [t.length], "float32");
    return this.constant(base, Float32Array.from(t.data), dims ?? [...t.shape], "float32");
  }

  /**
   * Adds a node; returns its output names. `outputs` is a count (names made from the op) or
   * explicit names; "" in `inputs` marks an omitted optional input (trailing ones are dropped).
   */
  node(
    op: string,
    inputs: string[],
    attrs: Record<string, AttributeValue> = {},
    outputs: number | string[] = 1,
  ): string[] {
    const ins = [...inputs];
    while (ins.length > 0 && ins[ins.length - 1] === "") ins.pop();
    const outs =
      typeof outputs === "number"
        ? Array.from({ length: outputs }, (_, k) =>
            this.unique(`${op.toLowerCase()}${k === 0 ? "" : `_${k}`}`),
          )
        : outputs.map((o) => (o === "" ? o : (this.used.add(o), o)));
    this.nodes.push({
      name: this.unique(`${op}_node`),
      opType: op,
      input: ins,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** One-output node. */
  op(op: string, inputs: string[], attrs: Record<string, AttributeValue> = {}): string {
    return this.node(op, inputs, attrs)[0];
  }

  model(options: { opset: number; doc?: string; metadata?: Record<string, string> }): ModelProto {
    return {
      irVersion: 8,
      opsetImport: [{ domain: "", version: options.opset }],
      producerName: "recurrent",
      producerVersion: "0.1.0",
      docString: options.doc ?? "",
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
  }
}
