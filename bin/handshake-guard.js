#!/usr/bin/env node
// Thin launcher: everything lives in the built CLI.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
