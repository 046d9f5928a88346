/**
 * A local fake LLM HTTP server speaking two wire formats, for tests and benches that drive the REAL
 * `openai` and `@anthropic-ai/sdk` clients (point them here by base URL):
 *
 * - OpenAI chat.completions: POST {openaiBaseURL}/chat/completions — streaming SSE (`data:` chunks,
 *   a final usage chunk when stream_options.include_usage, then `data: [DONE]`) and non-streaming JSON.
 * - Anthropic messages: POST {anthropicBaseURL}/v1/messages — streaming events (message_start,
 *   content_block_start/delta/stop, message_delta with usage, message_stop) and non-streaming JSON.
 * - Model listing: GET /v1/models in each SDK's shape (OpenAI's list; Anthropic's paged ModelInfo),
 *   the scripted model names by default, or setModelList(ids | {status}).
 *
 * Scriptable per model name: the response text (a string or a function of the request), a fixed
 * latency before the first byte, the usage to report, and faults consumed one per request in order:
 * `{ kind: 'status', status: 429, retryAfter: '1' }` (or retryAfterMs / any status such as 500),
 * `{ kind: 'hang' }` (never answers until the client gives up), `{ kind: 'malformed' }` (a 200 whose
 * JSON body / SSE data is not valid JSON), `{ kind: 'cut', afterChunks: n }` (n deltas, then the
 * connection drops). Scripts can also set finishReason ('length' → a truncated answer), noUsage,
 * and rejectJsonSchema (400 to response_format json_schema). Non-JSON *draft text* is just
 * `text: 'plain words'`. Request bodies are recorded as received (`body`): tests read the
 * response_format / output_config schema sent, the redacted prompt text and the token caps.
 * Unscripted models answer with a valid draft JSON, or — for a DJP judge prompt — valid judge JSON
 * (deterministic, from shared/providers/offline.ts). Every request is recorded (without credentials).
 *
 * Usage:
 *   const fake = await startFakeLlmServer({ models: { 'gpt-x': { latencyMs: 300 } } });
 *   env.OPENAI_BASE_URL = fake.openaiBaseURL; env.ANTHROPIC_BASE_URL = fake.anthropicBaseURL;
 *   …; await fake.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JUDGE_MARKER, parseJudgePrompt } from '../../shared/djp/prompts.js';
import { offlineJudge } from '../../shared/providers/offline.js';

export type FakeFault =
  | { kind: 'status'; status: number; retryAfter?: string; retryAfterMs?: number; message?: string }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  /** Streams `afterChunks` text deltas, then drops the connection (a stream cut midway; 0: before any text). */
  | { kind: 'cut'; afterChunks: number };

export interface FakeChatRequest {
  api: 'openai' | 'anthropic';
  path: string;
  model: string;
  system: string;
  prompt: string;
  stream: boolean;
  /** The parsed JSON body as received. */
  body: Record<string, unknown>;
  /** True when an Authorization or x-api-key header was sent (the value is never recorded). */
  authenticated: boolean;
  at: number;
  /** When the first streamed text delta was written (Date.now()), for latency benches. */
  firstByteAt?: number;
}

export interface FakeModelScript {
  /** The answer text; default: a valid draft JSON, or valid judge JSON for a judge prompt. */
  text?: string | ((req: FakeChatRequest) => string);
  /** Milliseconds before the first byte of each (non-fault) answer. */
  latencyMs?: number;
  /** Usage to report; default: ~4 characters per token of the prompt and the answer. */
  usage?: { input_tokens: number; output_tokens: number };
  /** Consumed one per request, in order, before normal answers resume. */
  faults?: FakeFault[];
  /** How many streamed deltas to split the text into (default 4). */
  chunks?: number;
  /** Milliseconds between streamed deltas (default 0: all at once) — a model still writing. */
  chunkDelayMs?: number | ((req: FakeChatRequest) => number);
  /** finish_reason (OpenAI) to report, default "stop"; for Anthropic "length" is sent as stop_reason
   *  "max_tokens" and "stop" as "end_turn". */
  finishReason?: string;
  /** Report no usage at all (like servers that ignore stream_options.include_usage). */
  noUsage?: boolean;
  /** Answer 400 to a request with response_format json_schema (a server without structured output). */
  rejectJsonSchema?: boolean;
}

export interface FakeLlmServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** For OPENAI_BASE_URL / GOOGLE_BASE_URL / OPENAI_COMPATIBLE_BASE_URL (…/v1). */
  openaiBaseURL: string;
  /** For ANTHROPIC_BASE_URL (the SDK appends /v1/messages). */
  anthropicBaseURL: string;
  /** Every chat request received, in arrival order. */
  requests: FakeChatRequest[];
  requestsFor(model: string): FakeChatRequest[];
  /** Sets or replaces one model's script (faults restart from the first). */
  setModel(model: string, script: FakeModelScript): void;
  /**
   * What GET /v1/models answers (both wire formats): these ids, or an error status. Default: every
   * scripted model name, plus `fallbackModels` given at start.
   */
  setModelList(list: string[] | { status: number; message?: string }): void;
  /** Every GET /v1/models received (api by the headers the SDK sends; the key is never recorded). */
  modelListRequests: Array<{ api: 'openai' | 'anthropic'; query: string; authenticated: boolean }>;
  close(): Promise<void>;
}

const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

/** A judge `text` function: scores each draft in the prompt with `scoreFor(draftBody, label, position)`.
 *  Return null to leave a draft out (it ends up unscored). */
export function judgeWith(
  scoreFor: (body: string, label: string, position: number) => { task_fit: number; support: number; clarity: number } | null,
): (req: FakeChatRequest) => string {
  return (req) => {
    const drafts = parseJudgePrompt(req.prompt);
    const scores = drafts.flatMap((d, i) => {
      const s = scoreFor(d.body, d.label, i);
      return s ? [{ label: d.label, ...s, reasons: `fake judge: ${s.task_fit + s.support + s.clarity}/10` }] : [];
    });
    return JSON.stringify({ scores });
  };
}

export function defaultDraftText(model: string): string {
  return JSON.stringify({ answer: `Answer from ${model}.`, evidence: [`source for ${model}`], confidence: 0.7, safety_flags: [] });
}

function contentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p) => (p && typeof p === 'object' && 'text' in p ? String((p as { text: unknown }).text) : '')).join('');
  return '';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function split(text: string, n: number): string[] {
  if (!text) return [];
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, n)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export async function startFakeLlmServer(opts: { models?: Record<string, FakeModelScript>; fallback?: FakeModelScript; listedModels?: string[] } = {}): Promise<FakeLlmServer> {
  const scripts = new Map<string, FakeModelScript>(Object.entries(opts.models ?? {}));
  let modelList: string[] | { status: number; message?: string } | null = null;
  const modelListRequests: FakeLlmServer['modelListRequests'] = [];
  const faultIndex = new Map<string, number>();
  const requests: FakeChatRequest[] = [];
  const fallback = opts.fallback ?? {};
  let seq = 0;

  const server = createServer(async (req, res) => {
    try {
      await handle(req, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake server error: ${(e as Error).message}` } }));
    }
  });

  /**
   * GET /v1/models in the shape each SDK's types declare: OpenAI `{object: 'list', data: Model[]}`
   * (openai/resources/models: id, object 'model', created, owned_by); Anthropic a page
   * `{data: ModelInfo[], has_more, first_id, last_id}`, paged by `limit` and `after_id`
   * (@anthropic-ai/sdk/resources/models, core/pagination). Anthropic's SDK sends anthropic-version.
   */
  function listModels(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const api = req.headers['anthropic-version'] ? 'anthropic' : 'openai';
    modelListRequests.push({ api, query: query.toString(), authenticated: !!(req.headers.authorization || req.headers['x-api-key']) });
    if (modelList && !Array.isArray(modelList)) {
      res.writeHead(modelList.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(api === 'anthropic' ? { type: 'error', error: { type: 'api_error', message: modelList.message ?? 'fake listing error' } } : { error: { message: modelList.message ?? 'fake listing error', type: 'server_error' } }));
      return;
    }
    const ids = modelList ?? [...new Set([...scripts.keys(), ...(opts.listedModels ?? [])])];
    res.writeHead(200, { 'content-type': 'application/json' });
    if (api === 'openai') {
      res.end(JSON.stringify({ object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_767_225_600, owned_by: 'fake' })) }));
      return;
    }
    const limit = Math.max(1, Math.min(1000, Number(query.get('limit') ?? 20) || 20));
    const after = query.get('after_id');
    const start = after ? ids.indexOf(after) + 1 : 0;
    const page = ids.slice(start, start + limit);
    const info = (id: string) => ({
      id,
      type: 'model',
      display_name: id,
      created_at: '2026-01-01T00:00:00Z',
      capabilities: null,
      deprecated_at: null,
      lifecycle: 'active',
      line: null,
      max_input_tokens: 200_000,
      max_tokens: 64_000,
      retires_at: null,
    });
    res.end(JSON.stringify({ data: page.map(info), has_more: start + limit < ids.length, first_id: page[0] ?? null, last_id: page.at(-1) ?? null }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path = '/', qs = ''] = (req.url ?? '/').split('?');
    if (req.method === 'GET' && path.endsWith('/v1/models')) return listModels(req, res, new URLSearchParams(qs));
    const api: 'openai' | 'anthropic' | null = req.method === 'POST' && path.endsWith('/chat/completions') ? 'openai' : req.method === 'POST' && path.endsWith('/messages') ? 'anthropic' : null;
    if (!api) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
      return;
    }
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const messages = (Array.isArray(body.messages) ? body.messages : []) as Array<{ role?: string; content?: unknown }>;
    const system = api === 'anthropic' ? contentText(body.system) : messages.filter((m) => m.role === 'system').map((m) => contentText(m.content)).join('\n');
    const prompt = messages.filter((m) => m.role === 'user').map((m) => contentText(m.content)).join('\n');
    const model = String(body.model ?? '');
    const rec: FakeChatRequest = {
      api,
      path,
      model,
      system,
      prompt,
      stream: body.stream === true,
      body,
      authenticated: !!(req.headers.authorization || req.headers['x-api-key']),
      at: Date.now(),
    };
    requests.push(rec);
    const script = scripts.get(model) ?? fallback;

    const fi = faultIndex.get(model) ?? 0;
    const fault = script.faults?.[fi];
    if (fault) faultIndex.set(model, fi + 1);
    if (fault?.kind === 'hang') {
      res.writeHead(200, { 'content-type': rec.stream ? 'text/event-stream' : 'application/json' });
      res.flushHeaders();
      return; // never finishes; the client times out / aborts, close() destroys it
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
      const message = fault.message ?? `fake ${fault.status}`;
      res.writeHead(fault.status, headers);
      res.end(JSON.stringify(api === 'openai' ? { error: { message, type: 'fake_error', code: null } } : { type: 'error', error: { type: fault.status === 429 ? 'rate_limit_error' : 'api_error', message } }));
      return;
    }

    const rf = body.response_format as { type?: string } | undefined;
    if (script.rejectJsonSchema && rf?.type === 'json_schema') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: "response_format type 'json_schema' is not supported by this server", type: 'invalid_request_error', code: null } }));
      return;
    }
    if (script.latencyMs) await new Promise((r) => setTimeout(r, script.latencyMs));
    if (res.destroyed || !res.socket || res.socket.destroyed) return;

    const malformed = fault?.kind === 'malformed';
    const text = typeof script.text === 'function' ? script.text(rec) : script.text ?? (system.startsWith(JUDGE_MARKER) ? offlineJudge(prompt) : defaultDraftText(model));
    const usage = script.usage ?? { input_tokens: tokens(system + prompt), output_tokens: tokens(text) };
    const id = `fake-${++seq}`;
    const parts = split(text, script.chunks ?? 4);
    const gap = typeof script.chunkDelayMs === 'function' ? script.chunkDelayMs(rec) : (script.chunkDelayMs ?? 0);
    const cutAt = fault?.kind === 'cut' ? fault.afterChunks : null;
    const finish = script.finishReason ?? 'stop';
    const anthropicStop = finish === 'length' ? 'max_tokens' : finish === 'stop' ? 'end_turn' : finish;
    const cut = () => {
      // Let the written chunks reach the client, then drop the connection mid-stream.
      setTimeout(() => res.socket?.destroy(), 20);
    };

    if (api === 'openai') {
      const created = Math.floor(Date.now() / 1000);
      const u = { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.input_tokens + usage.output_tokens };
      if (!rec.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (malformed) return void res.end('{"id": "broken", "choices": [');
        res.end(JSON.stringify({ id, object: 'chat.completion', created, model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }], ...(script.noUsage ? {} : { usage: u }) }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const chunk = (delta: Record<string, unknown>, finish: string | null) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }, null));
      if (malformed) return void res.end('data: {"id": "broken", "choices": [\n\n');
      for (const [i, p] of parts.entries()) {
        if (i > 0 && gap) await new Promise((r) => setTimeout(r, gap));
        if (res.destroyed) return;
        if (cutAt !== null && i >= cutAt) return cut();
        rec.firstByteAt ??= Date.now();
        res.write(chunk({ content: p }, null));
      }
      if (cutAt !== null) return cut();
      res.write(chunk({}, finish));
      const so = body.stream_options as { include_usage?: boolean } | undefined;
      if (so?.include_usage && !script.noUsage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: u })}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }

    // anthropic
    if (!rec.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (malformed) return void res.end('{"id": "broken", "content": [');
      res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text }], stop_reason: anthropicStop, stop_sequence: null, usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    res.write(ev('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, ...(script.noUsage ? {} : { usage: { input_tokens: usage.input_tokens, output_tokens: 1 } }) } }));
    if (malformed) return void res.end('event: content_block_start\ndata: {"type": "content_block_start", "index": 0,\n\n');
    res.write(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    for (const [i, p] of parts.entries()) {
      if (i > 0 && gap) await new Promise((r) => setTimeout(r, gap));
      if (res.destroyed) return;
      if (cutAt !== null && i >= cutAt) return cut();
      rec.firstByteAt ??= Date.now();
      res.write(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } }));
    }
    if (cutAt !== null) return cut();
    res.write(ev('content_block_stop', { index: 0 }));
    res.write(ev('message_delta', { delta: { stop_reason: anthropicStop, stop_sequence: null }, ...(script.noUsage ? {} : { usage: { output_tokens: usage.output_tokens } }) }));
    res.end(ev('message_stop', {}));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    requests,
    requestsFor: (model) => requests.filter((r) => r.model === model),
    setModel(model, script) {
      scripts.set(model, script);
      faultIndex.delete(model);
    },
    setModelList(list) {
      modelList = list;
    },
    modelListRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
