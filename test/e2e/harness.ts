// The world the e2e tests (and bench/renderer.ts) run against, started in a child process by
// test/e2e/global-setup.ts: fake OpenAI + Anthropic servers (test/fakes/llm-server.ts) with scripted
// models, and the REAL server (`djp serve`'s startServe) on 127.0.0.1 with an ephemeral port,
// runs saved in a fresh temp folder, the offline provider always available. Prints one line
// `E2E_READY {"base","runsDir","secrets"}` when ready; stops everything on SIGTERM/SIGINT.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe } from '../../server/commands/serve.js';
import { startFakeLlmServer, type FakeChatRequest } from '../fakes/llm-server.js';
import { startNotifyReceivers } from '../fakes/notify-receivers.js';
import { JUDGE_MARKER } from '../../shared/djp/prompts.js';

const root = join(import.meta.dirname, '..', '..');

/** Fake keys: the UI must never show them (the tests search the page for these exact strings). */
export const E2E_SECRETS = ['sk-e2e-openai-DO-NOT-SHOW-4f1c9a', 'sk-ant-e2e-DO-NOT-SHOW-8b2d7e', 'e2eHookSecret-DO-NOT-SHOW', 'mail-secret-pw'];

const SENTENCES = [
  'Retry transient failures with exponential backoff and full jitter.',
  'Cap the delay so a client never waits more than thirty seconds.',
  'Honour Retry-After when the server sends it.',
  'Log every attempt with its latency and status code.',
  'Stop retrying on client errors such as 400 and 401.',
  'Make the operation idempotent before you retry it.',
  'Budget retries per request so storms cannot build up.',
];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A valid draft whose words depend on the model and the task, so two runs really differ. */
function draftText(req: FakeChatRequest): string {
  const h = hash(req.model + req.prompt);
  const pick = (k: number) => SENTENCES[(h >>> (k * 3)) % SENTENCES.length]!;
  return JSON.stringify({ answer: `${req.model} answers: ${pick(0)} ${pick(1)} ${pick(2)}`, evidence: ['RFC 9110 §10.2.3'], confidence: 0.7, safety_flags: [] });
}

/** An answer in Markdown with a table, a code block, a task list, links, and XSS attempts. */
export const MARKDOWN_ANSWER = [
  '## Retry policy',
  '',
  'Use **exponential backoff** with ~~fixed delays~~ *full jitter*. See [the RFC](https://www.rfc-editor.org/rfc/rfc9110).',
  '',
  '| Attempt | Delay |',
  '| --- | --- |',
  '| 1 | 100 ms |',
  '| 2 | 200 ms |',
  '',
  '- [x] cap the delay',
  '- [ ] honour Retry-After',
  '',
  '```typescript',
  'export async function retry(fn: () => Promise<void>): Promise<void> {',
  '  const max = 5; // attempts',
  '  return fn();',
  '}',
  '```',
  '',
  '<script>window.__xss = "script"</script>',
  '',
  'Inline <img src="x" onerror="window.__xss = \'img\'"> image.',
  '',
  '[click me](javascript:window.__xss=\'link\')',
  '',
  '<a href="javascript:window.__xss=\'a\'">raw link</a>',
  '',
  '<iframe src="javascript:window.__xss=\'iframe\'"></iframe>',
].join('\n');

export interface Harness {
  base: string;
  runsDir: string;
  secrets: string[];
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const fake = await startFakeLlmServer({
    fallback: { latencyMs: 1200, chunks: 10 },
    models: {
      // Debaters: answer after a visible moment, streamed in pieces.
      'gpt-5.4-mini': { latencyMs: 1200, chunks: 10, text: draftText },
      'claude-sonnet-4-6': { latencyMs: 1500, chunks: 10, text: draftText },
      'claude-haiku-4-5': { latencyMs: 600, chunks: 10, text: draftText },
      // Live test: a debater that is still writing while another has finished.
      // (Its drafts stream for ~6 s, so the test sees it streaming even on a busy machine; as a
      // judge it answers at once.)
      'claude-opus-4-6': { latencyMs: 1500, chunks: 10, chunkDelayMs: (req) => (req.system.startsWith(JUDGE_MARKER) ? 0 : 600), text: draftText },
      // Markdown test: an answer with a table, a code block, links and XSS attempts.
      'md-writer': { latencyMs: 300, chunks: 6, text: () => JSON.stringify({ answer: MARKDOWN_ANSWER, evidence: ['RFC 9110'], confidence: 0.8, safety_flags: [] }) },
      // Live-run test: streams a long answer slowly (1 s between deltas), cut off by a cancel.
      'slow-stream': { latencyMs: 100, chunks: 40, chunkDelayMs: 1000, text: () => JSON.stringify({ answer: `Partial answer begins here. ${'More words keep arriving slowly. '.repeat(60)}`, evidence: [], confidence: 0.5, safety_flags: [] }) },
      // Cancel test: answers only after 30 s.
      'gpt-5.4-nano': { latencyMs: 30_000, text: draftText },
      // Failed-debater test: every call is refused (400 is not retried).
      'gpt-4.1': { faults: Array.from({ length: 500 }, () => ({ kind: 'status' as const, status: 400, message: 'The model gpt-4.1 is unavailable (fake 400)' })) },
    },
  });
  // Notifications go to local receivers (Slack webhook, SMTP): runs pending approval notify both.
  const receivers = await startNotifyReceivers();
  const tmp = mkdtempSync(join(tmpdir(), 'djp-e2e-'));
  const runsDir = join(tmp, 'runs');
  // A clean environment: nothing from the developer's shell (real keys, RUNS_DIR …) leaks in.
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NODE_ENV: 'test',
    OPENAI_API_KEY: E2E_SECRETS[0],
    OPENAI_BASE_URL: fake.openaiBaseURL,
    ANTHROPIC_API_KEY: E2E_SECRETS[1],
    ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
    RUNS_DIR: runsDir,
    DJP_OUTBOX_DIR: join(tmp, 'outbox'),
    DJP_AUTH: 'none',
    DJP_LOG_LEVEL: process.env.E2E_VERBOSE ? 'info' : 'warn',
    DJP_STATIC_DIR: join(root, 'dist', 'renderer'),
    // Grounded mode: run requests may name folders inside test/fixtures (e.g. "corpus").
    DJP_SERVER_DATA_DIR: join(root, 'test', 'fixtures'),
    DJP_NOTIFY_SLACK_URL: `${receivers.hookBase}/slack/services/T0E2E/B0E2E/${E2E_SECRETS[2]}`,
    DJP_SMTP_URL: receivers.smtpUrl,
    DJP_NOTIFY_EMAIL_TO: 'approvers@example.com',
    DJP_PUBLIC_URL: 'https://djp.example.com',
  };
  // The real server, as `djp serve` starts it (server/commands/serve.ts), on an ephemeral port.
  const server = await startServe({ port: '0', host: '127.0.0.1' }, env);
  const base = server.url;
  return {
    base,
    runsDir,
    secrets: E2E_SECRETS,
    async close() {
      await server.stop();
      await fake.close();
      await receivers.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

// Run as a script: start, announce, wait for a signal.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const h = await startHarness();
  process.stdout.write(`E2E_READY ${JSON.stringify({ base: h.base, runsDir: h.runsDir, secrets: h.secrets })}\n`);
  const stop = () => void h.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
