import type { Backend } from "../backend.js";
import * as elementwise from "./elementwise.js";
import * as indexing from "./indexing.js";
import * as linalg from "./linalg.js";
import * as loss from "./loss.js";
import * as optim from "./optim.js";
import * as recurrent from "./recurrent.js";
import * as reduce from "./reduce.js";

/** Plain TypeScript loops: the living definition every other backend is tested against. */
export const referenceBackend: Backend = {
  name: "reference",
  scratch: linalg.scratch,
  release: linalg.release,
  storage: linalg.storage,
  unaryForward: elementwise.unaryForward,
  unaryBackward: elementwise.unaryBackward,
  binaryForward: elementwise.binaryForward,
  scalarForward: elementwise.scalarForward,
  clampForward: elementwise.clampForward,
  whereForward: elementwise.whereForward,
  stridedCopy: elementwise.stridedCopy,
  stridedAccumulate: elementwise.stridedAccumulate,
  reduceForward: reduce.reduceForward,
  softmaxForward: reduce.softmaxForward,
  softmaxBackward: reduce.softmaxBackward,
  crossEntropyForward: loss.crossEntropyForward,
  crossEntropyBackward: loss.crossEntropyBackward,
  gemm: linalg.gemm,
  packB: linalg.packB,
  gemmPacked: linalg.gemmPacked,
  addRowVector: linalg.addRowVector,
  sumRows: linalg.sumRows,
  gatherRows: indexing.gatherRows,
  scatterAddRows: indexing.scatterAddRows,
  gatherAxis: indexing.gatherAxis,
  scatterAddAxis: indexing.scatterAddAxis,
  lstmGatesForward: recurrent.lstmGatesForward,
  lstmGatesBackward: recurrent.lstmGatesBackward,
  gruGatesForward: recurrent.gruGatesForward,
  gruGatesBackward: recurrent.gruGatesBackward,
  rnnGatesForward: recurrent.rnnGatesForward,
  rnnGatesBackward: recurrent.rnnGatesBackward,
  sgdUpdate: optim.sgdUpdate,
  adamUpdate: optim.adamUpdate,
  adamUpdateRows: optim.adamUpdateRows,
  rmspropUpdate: optim.rmspropUpdate,
  adagradUpdate: optim.adagradUpdate,
};
