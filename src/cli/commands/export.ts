/**
 * `recurrent export --onnx`: a trained language model or classifier as an ONNX file (opset 17,
 * ONNX's LSTM/GRU/RNN operators, variable lengths through `sequence_lens`; io/onnx/export.ts),
 * for ONNX Runtime and the tools around it. Prints the graph's inputs and outputs.
 *
 * @example
 * recurrent export --onnx --model runs/lm-moby-dick --out lm.onnx
 * recurrent export --onnx --model runs/classify-spam-assassin --out spam.onnx --no-batch-first
 */
import type { Command } from "commander";
import { writeFileAtomic } from "../../io/node/atomic.js";
import { readModelDir } from "../../io/node/model-dir.js";
import { exportOnnx, type OnnxExportOptions } from "../../io/onnx/export.js";
import { decodeModel, type ValueInfoProto } from "../../io/onnx/proto.js";
import { UsageError } from "../args.js";
import { loadClassifier } from "./classify.js";
import { loadLanguageModel } from "./lm.js";

const ELEM: Record<number, string> = { 1: "float32", 6: "int32", 7: "int64" };

function describe(v: ValueInfoProto): string {
  const t = v.type.tensorType;
  const dims = t.shape.dim.map((d) =>
    "dimParam" in d && d.dimParam ? d.dimParam : String((d as { dimValue: number }).dimValue),
  );
  return `${v.name} ${ELEM[t.elemType] ?? t.elemType} [${dims.join(", ")}]`;
}

async function exportModel(opts: Record<string, unknown>): Promise<void> {
  if (!opts.onnx) throw new UsageError("export: name the format: --onnx (the only one for now)");
  const dir = String(opts.model);
  const { config } = await readModelDir(dir);
  const options: OnnxExportOptions = {
    batchFirst: opts.batchFirst as boolean | undefined,
    lengths: opts.lengths as boolean,
    state: Boolean(opts.state),
  };
  let bytes: Uint8Array;
  if (config.task === "lm") bytes = exportOnnx((await loadLanguageModel(dir)).model, options);
  else if (config.task === "classify") {
    if (options.state) throw new UsageError("--state: a classifier takes no initial state");
    if (!options.lengths)
      throw new UsageError("--no-lengths: a classifier's pooling needs lengths");
    bytes = exportOnnx((await loadClassifier(dir)).model, options);
  } else
    throw new UsageError(
      `export --onnx: ${dir} is a ${config.task} model; ONNX export covers lm and classify models (a seq2seq decoder needs a loop, which the exporter does not write)`,
    );
  const out = String(opts.out);
  await writeFileAtomic(out, bytes);
  const { graph } = decodeModel(bytes);
  process.stdout.write(
    `wrote ${out} (${(bytes.length / 1024).toFixed(1)} KiB, ONNX opset 17)\n` +
      `  inputs:  ${graph.input.map(describe).join(", ")}\n` +
      `  outputs: ${graph.output.map(describe).join(", ")}\n`,
  );
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("export a trained model to another format (ONNX)")
    .option("--onnx", "write an ONNX model (opset 17)")
    .requiredOption("--model <dir>", "model directory written by `recurrent train` or `import`")
    .requiredOption("--out <file>", "the file to write, e.g. model.onnx")
    .option("--batch-first", "input_ids [B, T] (default for a classifier)")
    .option("--no-batch-first", "input_ids [T, B] (default for a language model)")
    .option("--no-lengths", "language model: no lengths input (every sequence full length)")
    .option("--state", "language model: h_0 (c_0) inputs, for generating a step at a time")
    .action(exportModel);
}
