/**
 * What the three recipes share, for front ends other than the CLI (a web worker, a user's own
 * script): the training loop, checkpoints as bytes, the model-directory format, optimizers and
 * schedules by name.
 */
export {
  Trainer,
  type TrainerOptions,
  type TrainerTask,
  type TrainEvents,
  type StepReport,
  type StepResult,
  type EvalReport,
  type EvalResult,
  type TrainSummary,
  type StopReason,
} from "./trainer.js";
export {
  decodeCheckpoint,
  encodeCheckpoint,
  restoreCheckpoint,
  type CheckpointFiles,
  type DecodedCheckpoint,
  type TrainPosition,
} from "./checkpoint.js";
export {
  checkModelConfig,
  makeModelConfig,
  MODEL_FORMAT,
  MODEL_VERSION,
  type ModelConfig,
  type TaskName,
} from "./model-config.js";
export { parseModelFiles, MODEL_FILES, type ModelFiles } from "./model-files.js";
export {
  createOptimizer,
  createScheduler,
  OPTIMIZERS,
  SCHEDULES,
  type OptimizerConfig,
  type ScheduleConfig,
} from "./optimizer.js";
export { sampleToken, type SamplingOptions } from "../sampling.js";
