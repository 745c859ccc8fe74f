export { dropout } from "./dropout.js";
