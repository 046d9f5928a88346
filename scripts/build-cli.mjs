// Builds the installed `djp` command: server/bin.ts bundled with esbuild into dist/cli/djp.mjs plus
// code-split chunks under dist/cli/chunks/ (each command module and each SDK is its own chunk, loaded
// only when used, as server/cli.ts's lazy imports ask).
//
// Why a bundle: `djp run` used to load ~700 separate ES modules (our code, zod, commander, the
// OpenAI SDK's 455 files), and resolving, reading and compiling them one by one was most of its
// start-up (bench/cli-start.ts). The bundle is the same code, so the CLI tests run against it
// (test/fakes/cli.ts, built once per test run by test/setup/cli-global.ts).
//
// Only our code and the ES-module packages on the start-up path are bundled (BUNDLED below). Every
// other package (the cloud SDKs, yaml, docx, unpdf, nodemailer, pino, …) stays an import from
// node_modules, loaded by Node itself when a command needs it: bundling CommonJS packages changes how
// their exports look to a dynamic import(), which is a class of bug the tests found and we don't need.
// The server started by `npm start` and the container (`node dist/server/cli.js serve`) keep using the
// tsc output.
//
// Usage: node scripts/build-cli.mjs [outdir] [--no-minify]   (default dist/cli; --no-minify keeps names
// and module comments, for reading a CPU profile)
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** Packages compiled into the bundle: pure ES modules, all on `djp run`'s path to its first call. */
const BUNDLED = new Set(['openai', '@anthropic-ai/sdk', 'zod', 'commander']);
const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** Leaves every bare import of a package not in BUNDLED (and every node: built-in) to Node at run time. */
const onlyBundled = {
  name: 'djp-only-bundled',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      // Imports made inside a bundled package resolve as usual (its own files and its dependencies).
      if (args.importer.includes('/node_modules/')) return undefined;
      return BUNDLED.has(packageName(args.path)) ? undefined : { external: true };
    });
  },
};
const argv = process.argv.slice(2);
const minify = !argv.includes('--no-minify');
const outdir = resolve(argv.find((a) => !a.startsWith('--')) ?? join(root, 'dist/cli'));

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { djp: 'server/bin.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [onlyBundled],
  minifyWhitespace: minify,
  minifySyntax: minify,
  legalComments: 'linked',
  logLevel: 'warning',
});
chmodSync(join(outdir, 'djp.mjs'), 0o755);
