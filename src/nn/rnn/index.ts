/** Recurrent layers: one-step cells (the composed oracle) and the fused sequence layers. */
export {
  RNNCell,
  LSTMCell,
  GRUCell,
  rnnCellStep,
  lstmCellStep,
  gruCellStep,
  type Nonlinearity,
  type CellOptions,
  type RNNCellOptions,
} from "./cells.js";
export { RNNBase, type RNNBaseOptions, type RecurrentResult } from "./base.js";
export { RNN, LSTM, GRU, type RNNOptions, type LSTMOptions, type GRUOptions } from "./layers.js";
