// `node --import ./register.mjs dist/main/main.js`: resolves `electron` to the fake below, so the
// compiled main process runs under plain Node (test/desktop/main-process.test.ts).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
