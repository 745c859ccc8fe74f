#!/usr/bin/env node
// The `recurrent` executable: everything is in main.ts, so tests can call main() in-process.
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
