// Child process for the SIGKILL test: saves runs through the local run store and overwrites a few
// large keys in a loop, until killed. Prints "ready" after the first writes.
import { LocalBackend } from '../../shared/storage/local.js';
import { BackendRunStore } from '../../shared/artifacts/store.js';
import { makeArtifact } from '../fakes/artifact.js';

const root = process.argv[2];
if (!root) throw new Error('usage: kill-writer <dir>');
const backend = new LocalBackend(root);
const store = new BackendRunStore(backend);
const big = 'x'.repeat(512 * 1024);
let i = 0;
for (;;) {
  await store.save(makeArtifact({ task: `run ${i} ${big}` }));
  await backend.write(`big/${i % 4}.json`, JSON.stringify({ i, big: big.repeat(2) }));
  if (++i === 3) process.stdout.write('ready\n');
}
