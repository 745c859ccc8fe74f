/** Optimizers, learning-rate schedules (`optim.lrScheduler`) and their shared base class. */
export {
  Optimizer,
  type BaseGroupOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from "./optimizer.js";
export { SGD, type SGDOptions, type SGDGroupOptions } from "./sgd.js";
export { Adam, type AdamOptions, type AdamGroupOptions } from "./adam.js";
export { AdamW, type AdamWOptions } from "./adamw.js";
export { RMSprop, type RMSpropOptions, type RMSpropGroupOptions } from "./rmsprop.js";
export { Adagrad, type AdagradOptions, type AdagradGroupOptions } from "./adagrad.js";
export { SparseAdam, type SparseAdamOptions, type SparseAdamGroupOptions } from "./sparse-adam.js";
export * as lrScheduler from "./lr-scheduler.js";
