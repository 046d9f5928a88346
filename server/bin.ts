#!/usr/bin/env node
// The installed `djp` entry (package.json "bin", built by scripts/build-cli.mjs into dist/cli/djp.mjs).
// It turns on Node's on-disk compile cache before anything else is loaded — the ES imports of cli.ts
// are resolved before its own code runs, so this must be a separate, tiny first module — then loads
// the CLI. The cache (V8 code cache, default under the OS temp folder, NODE_COMPILE_CACHE to move it,
// NODE_DISABLE_COMPILE_CACHE=1 to turn it off) skips compiling the CLI's code again on every start:
// bench/cli-start.ts measures what it saves.
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
await import('./cli.js');
