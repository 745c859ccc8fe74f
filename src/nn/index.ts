export { Module } from "./module.js";
export { Parameter } from "./parameter.js";
export * as init from "./init.js";
export * as functional from "./functional/index.js";
export * from "./linear.js";
export * from "./embedding.js";
export * from "./dropout.js";
export * from "./loss.js";
export * from "./rnn/index.js";
