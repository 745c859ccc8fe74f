/**
 * The part of ONNX's protobuf schema (onnx/onnx.proto, IR version 8) that an exported model uses,
 * as a protobufjs reflection root: ModelProto → GraphProto → NodeProto / TensorProto /
 * ValueInfoProto. Field numbers are the schema's; names are camelCase, as protobufjs spells them.
 * protobufjs/light is plain JavaScript (no Node built-ins), so this runs in browsers too.
 *
 * @example
 * const bytes = encodeModel({ irVersion: 8, opsetImport: [{ domain: "", version: 17 }], graph });
 * decodeModel(bytes).graph.node[0].opType; // "LSTM"
 */
import protobuf from "protobufjs/light.js";

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  /** Little-endian element bytes. */
  rawData: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: (typeof AttributeType)[keyof typeof AttributeType];
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

/** A dimension is a size or a symbolic name ("batch"). */
export type Dim = number | string;

export interface ValueInfoProto {
  name: string;
  type: {
    tensorType: {
      elemType: DataTypeCode;
      shape: { dim: ({ dimValue: number } | { dimParam: string })[] };
    };
  };
  docString?: string;
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  docString?: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  graph: GraphProto;
  metadataProps?: { key: string; value: string }[];
}

const repeated = (type: string, id: number) => ({ rule: "repeated", type, id });

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: "int64", id: 1 },
            producerName: { type: "string", id: 2 },
            producerVersion: { type: "string", id: 3 },
            domain: { type: "string", id: 4 },
            modelVersion: { type: "int64", id: 5 },
            docString: { type: "string", id: 6 },
            graph: { type: "GraphProto", id: 7 },
            opsetImport: repeated("OperatorSetIdProto", 8),
            metadataProps: repeated("StringStringEntryProto", 14),
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } },
        },
        StringStringEntryProto: {
          fields: { key: { type: "string", id: 1 }, value: { type: "string", id: 2 } },
        },
        GraphProto: {
          fields: {
            node: repeated("NodeProto", 1),
            name: { type: "string", id: 2 },
            initializer: repeated("TensorProto", 5),
            docString: { type: "string", id: 10 },
            input: repeated("ValueInfoProto", 11),
            output: repeated("ValueInfoProto", 12),
            valueInfo: repeated("ValueInfoProto", 13),
          },
        },
        NodeProto: {
          fields: {
            input: repeated("string", 1),
            output: repeated("string", 2),
            name: { type: "string", id: 3 },
            opType: { type: "string", id: 4 },
            attribute: repeated("AttributeProto", 5),
            docString: { type: "string", id: 6 },
            domain: { type: "string", id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: "string", id: 1 },
            f: { type: "float", id: 2 },
            i: { type: "int64", id: 3 },
            s: { type: "bytes", id: 4 },
            floats: repeated("float", 7),
            ints: repeated("int64", 8),
            strings: repeated("bytes", 9),
            docString: { type: "string", id: 13 },
            type: { type: "int32", id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: repeated("int64", 1),
            dataType: { type: "int32", id: 2 },
            name: { type: "string", id: 8 },
            rawData: { type: "bytes", id: 9 },
            docString: { type: "string", id: 12 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: "string", id: 1 },
            type: { type: "TypeProto", id: 2 },
            docString: { type: "string", id: 3 },
          },
        },
        TypeProto: {
          fields: {
            tensorType: { type: "TensorTypeProto", id: 1 },
            denotation: { type: "string", id: 6 },
          },
        },
        // TypeProto.Tensor in the schema; a nested message's name does not reach the wire.
        TensorTypeProto: {
          fields: {
            elemType: { type: "int32", id: 1 },
            shape: { type: "TensorShapeProto", id: 2 },
          },
        },
        TensorShapeProto: { fields: { dim: repeated("Dimension", 1) } },
        Dimension: {
          oneofs: { value: { oneof: ["dimValue", "dimParam"] } },
          fields: {
            dimValue: { type: "int64", id: 1 },
            dimParam: { type: "string", id: 2 },
            denotation: { type: "string", id: 3 },
          },
        },
      },
    },
  },
};

let modelType: protobuf.Type | null = null;

function model(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(SCHEMA).lookupType("onnx.ModelProto");
  return modelType;
}

/** Serialises a model (the message is checked against the schema first). */
export function encodeModel(m: ModelProto): Uint8Array {
  const type = model();
  const problem = type.verify(m);
  if (problem) throw new Error(`exportOnnx: internal error, invalid ModelProto: ${problem}`);
  return type.encode(type.fromObject(m)).finish();
}

/** Parses a model written by `encodeModel` (int64 fields as numbers), for inspection and tests. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = model();
  return type.toObject(type.decode(bytes), {
    longs: Number,
    defaults: true,
    arrays: true,
  }) as ModelProto;
}
