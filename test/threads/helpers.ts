// Shared by the thread and attachment tests: a fake LLM server whose drafts name the task they
// answer (so a later turn's prompt can be checked for an earlier turn's answer), the three stores,
// and a service that waits for a run to finish.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CallContext, type RunArtifact, type RunEvent, type RunRequest } from '../../shared/api/index.js';
import { BackendRunStore, Outbox, silentLogger } from '../../shared/artifacts/index.js';
import { JUDGE_MARKER } from '../../shared/djp/prompts.js';
import { createDjpService, type DjpService, type DjpServiceOptions } from '../../shared/service/index.js';
import type { StorageBackend } from '../../shared/storage/backend.js';
import { GcsBackend } from '../../shared/storage/gcs.js';
import { LocalBackend } from '../../shared/storage/local.js';
import { S3Backend } from '../../shared/storage/s3.js';
import { startFakeGcs, type FakeGcs } from '../fakes/gcs-server.js';
import { judgeWith, startFakeLlmServer, type FakeChatRequest, type FakeLlmServer } from '../fakes/llm-server.js';
import { startS3rver, type S3rverHandle } from '../fakes/s3.js';
import { fakeEnv } from '../core/helpers.js';

export const ctx: CallContext = { identity: { user: 'alice', source: 'local' } };

/** The task line of a draft prompt (the thread section above it writes "Task:", not "TASK:"). */
export function taskOf(prompt: string): string {
  const m = /(?:^|\n)TASK:\n([^\n]*)/.exec(prompt);
  return m ? m[1]! : '';
}

export function answerText(model: string, prompt: string): string {
  return `Answer from ${model} about «${taskOf(prompt)}».`;
}

/** Drafts that echo their task; a judge that prefers the first draft shown. */
export async function startEchoLlm(): Promise<FakeLlmServer> {
  const judge = judgeWith((_b, _l, i) => ({ task_fit: 4, support: i === 0 ? 4 : 2, clarity: 2 }));
  return startFakeLlmServer({
    fallback: {
      text: (req: FakeChatRequest) =>
        req.system.startsWith(JUDGE_MARKER) ? judge(req) : JSON.stringify({ answer: answerText(req.model, req.prompt), evidence: ['common knowledge'], confidence: 0.8, safety_flags: [] }),
    },
  });
}

export interface StoreKind {
  name: 'local' | 's3' | 'gcs';
  backend(): StorageBackend;
  /** A service options' store over a fresh backend (cloud stores get an outbox in `outboxDir`). */
  store(backend: StorageBackend, outboxDir: string): BackendRunStore;
}

export interface Stores {
  kinds: StoreKind[];
  stop(): Promise<void>;
}

export async function startStores(): Promise<Stores> {
  const dir = mkdtempSync(join(tmpdir(), 'djp-threads-'));
  const s3: S3rverHandle = await startS3rver();
  const gcs: FakeGcs = await startFakeGcs({ buckets: ['djp-test'] });
  let n = 0;
  const closers: Array<() => Promise<void>> = [];
  const cloudStore = (backend: StorageBackend, outboxDir: string) => new BackendRunStore(backend, { outbox: new Outbox(outboxDir, backend.location, silentLogger), logger: silentLogger });
  const kinds: StoreKind[] = [
    { name: 'local', backend: () => new LocalBackend(join(dir, `local${++n}`)), store: (b) => new BackendRunStore(b, { logger: silentLogger }) },
    {
      name: 's3',
      backend: () => {
        const b = new S3Backend({ bucket: s3.bucket, prefix: `t${++n}/runs`, env: s3.env });
        closers.push(async () => b.close());
        return b;
      },
      store: cloudStore,
    },
    { name: 'gcs', backend: () => new GcsBackend({ bucket: 'djp-test', prefix: `t${++n}/runs`, env: { STORAGE_EMULATOR_HOST: gcs.endpoint }, maxRetries: 1 }), store: cloudStore },
  ];
  return {
    kinds,
    async stop() {
      await Promise.all(closers.map((c) => c()));
      await s3.stop();
      await gcs.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function makeService(fake: FakeLlmServer, store: BackendRunStore, extra: Partial<DjpServiceOptions> = {}): DjpService {
  return createDjpService({ store, env: fakeEnv(fake, ['openai', 'anthropic']), surface: 'test', retry: { baseDelayMs: 10 }, ...extra });
}

/** Starts a run, waits for it and returns its artifact and events. */
export async function runToEnd(svc: DjpService, req: RunRequest): Promise<{ artifact: RunArtifact; events: RunEvent[] }> {
  const { id } = await svc.startRun(req, ctx);
  const events: RunEvent[] = [];
  await new Promise<void>((resolve) => {
    void svc.subscribe(id, (e) => {
      events.push(e);
      if (e.type === 'run.done' || e.type === 'run.error') resolve();
    });
  });
  const last = events.at(-1)!;
  if (last.type === 'run.error') throw new Error(`run ${id} failed: ${last.message}`);
  return { artifact: await svc.getRun(id), events };
}
