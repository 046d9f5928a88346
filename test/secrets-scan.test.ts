// Secrets scan: a run whose task and drafts contain an API key, an e-mail address and a card number,
// driven through the `djp` CLI as a subprocess against the fake LLM server (real OpenAI and Anthropic
// SDKs). None of them may appear in the saved artifact, the logs (stderr) or the CLI output (stdout),
// including a provider error message that echoes the key back.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './fakes/cli.js';
import { RunArtifact } from '../shared/api/index.js';
import { startFakeLlmServer, type FakeLlmServer } from './fakes/llm-server.js';


const API_KEY = 'sk-proj-T3stS3cr3tK3yDoNotLeak0123456789abcdefXYZ';
const ANTHROPIC_KEY = 'sk-ant-api03-An0th3rS3cr3tThatMustN0tLeak-987654321';
const EMAIL = 'jane.roe@example.com';
const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = '4111111111111111';
// The keys the CLI itself is configured with must not leak either.
const ENV_OPENAI_KEY = 'sk-envkey-0penAIc0nfigured1234567890';
const ENV_ANTHROPIC_KEY = 'sk-ant-envkey-C0nfigured0987654321';
const NEEDLES = [API_KEY, ANTHROPIC_KEY, EMAIL, CARD, CARD_DIGITS, '4111-1111-1111-1111', ENV_OPENAI_KEY, ENV_ANTHROPIC_KEY];

let fake: FakeLlmServer;
let dir: string;

function djp(args: string[]): Promise<CliResult> {
  const env: Record<string, string> = {
    HOME: dir,
    RUNS_DIR: join(dir, 'runs'),
    OPENAI_API_KEY: ENV_OPENAI_KEY,
    OPENAI_BASE_URL: fake.openaiBaseURL,
    ANTHROPIC_API_KEY: ENV_ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
  };
  return runCli(args, { cwd: dir, env });
}

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function leaks(text: string): string[] {
  return NEEDLES.filter((n) => text.includes(n));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'djp-secrets-'));
  const draft = (who: string) =>
    JSON.stringify({
      answer: `${who}: write to ${EMAIL}, charge card ${CARD} and call the API with ${API_KEY} (or ${ANTHROPIC_KEY}).`,
      evidence: [`the customer record lists ${EMAIL} and ${CARD_DIGITS}`, `config shows ${API_KEY}`],
      confidence: 0.8,
      safety_flags: [],
    });
  fake = await startFakeLlmServer({
    models: {
      'scan-gpt': { text: draft('gpt'), chunks: 9 },
      'scan-claude': { text: draft('claude'), chunks: 7 },
      // A provider error that echoes the key back, as some APIs do.
      // (one fault per run: a 400 is not retried)
      'scan-broken': { faults: [1, 2].map(() => ({ kind: 'status' as const, status: 400, message: `invalid api key ${API_KEY} for ${EMAIL}` })) },
    },
  });
});

afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets scan', () => {
  it('no key, e-mail or card number reaches the artifact, the logs or the CLI output', async () => {
    const task = `Customer ${EMAIL} paid with ${CARD}; our key is ${API_KEY}. Draft a reply.`;
    const common = ['--debaters', 'openai:scan-gpt,anthropic:scan-claude,openai:scan-broken', '--judge', 'openai:scan-judge', '--policy', 'all', '--timeout_s', '10'];
    const run = await djp(['run', '--task', task, ...common]);
    expect(run.stderr).toContain('djp: run '); // progress was logged
    expect(run.code).toBe(0);
    const id = /^run:\s+(\S+)/m.exec(run.stdout)?.[1];
    expect(id).toBeTruthy();

    const json = await djp(['run', '--task', task, ...common, '--json']);
    expect(json.code).toBe(0);
    const show = await djp(['runs', 'show', id!]);
    const showJson = await djp(['runs', 'show', id!, '--json']);
    const list = await djp(['runs', 'list']);
    for (const r of [show, showJson, list]) expect(r.code).toBe(0);

    // The run really happened with the secrets in play, and outbound redaction (on by default) sent
    // the providers the redacted task: the fake server never saw the raw values …
    const received = JSON.stringify(fake.requests.map((r) => r.prompt));
    expect(received).toContain('[REDACTED:EMAIL]');
    expect(received).not.toContain(EMAIL);
    expect(received).not.toContain(API_KEY);
    // … the drafts were used and published, and the redactor replaced what it found.
    const files = filesUnder(join(dir, 'runs')).filter((f) => f.endsWith('.json'));
    const artifacts = files.flatMap((f) => {
      const parsed = RunArtifact.safeParse(JSON.parse(readFileSync(f, 'utf8')));
      return parsed.success ? [parsed.data] : [];
    });
    expect(artifacts).toHaveLength(2);
    for (const a of artifacts) {
      expect(a.status).toBe('published');
      expect(a.publish.text).toContain('[REDACTED:EMAIL]');
      expect(a.publish.text).toContain('[REDACTED:CREDIT_CARD]');
      expect(a.publish.text).toContain('[REDACTED:OPENAI_KEY]');
      expect(a.drafts.find((d) => d.model === 'scan-broken')?.status).toBe('failed');
      expect(a.guardrails.redaction.events.length).toBeGreaterThan(0);
    }

    const everything: Record<string, string> = {
      'run stdout': run.stdout,
      'run stderr': run.stderr,
      'run --json stdout': json.stdout,
      'run --json stderr': json.stderr,
      'runs show': show.stdout + show.stderr,
      'runs show --json': showJson.stdout + showJson.stderr,
      'runs list': list.stdout + list.stderr,
      ...Object.fromEntries(filesUnder(dir).map((f) => [f, readFileSync(f, 'utf8')])),
    };
    const found = Object.entries(everything).flatMap(([where, text]) => leaks(text).map((n) => `${n} in ${where}`));
    expect(found).toEqual([]);
  }, 120_000); // five CLI subprocesses: slow on a busy machine
});
