// SSE on the one streaming helper (runEvents / iterate, shared/api/stream.ts): a live run's events
// after its replay, heartbeats on an idle stream, the core subscription released when the client goes
// away and when the run ends.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { DjpError, type RunEvent } from '../../shared/api/index.js';
import { createMemoryApi } from './memory-api.js';
import { startServer } from './http-helpers.js';

const ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const at = new Date().toISOString();
const started = { type: 'run.started', run_id: ID, seq: 0, at, task: 't', drafts: [], judge: { provider: 'offline', model: 'offline/judge' }, projected_usd: null } as unknown as RunEvent;
const warning = (seq: number) => ({ type: 'warning', run_id: ID, seq, at, message: `w${seq}` }) as unknown as RunEvent;
const done = (seq: number) => ({ type: 'run.done', run_id: ID, seq, at, status: 'published', artifact: 'x', outbox: null }) as unknown as RunEvent;

/** A core with one running run: its listener and how often its subscription was released. */
function liveApi() {
  const state = { listener: null as ((e: RunEvent) => void) | null, stops: 0 };
  const api = {
    ...createMemoryApi(),
    async subscribe(runId: string, listener: (e: RunEvent) => void) {
      if (runId !== ID) throw new DjpError('not_found', 'no such run', 'id');
      listener(started);
      state.listener = listener;
      return () => {
        state.stops++;
        state.listener = null;
      };
    },
    async getRun(): Promise<never> {
      throw new DjpError('conflict', 'still running', 'id');
    },
  };
  return { api, state };
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
};

/** Opens the stream with node:http; collects the text; `close` drops the connection. */
function open(base: string, path: string): Promise<{ status: number; text: () => string; ended: Promise<void>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      const ended = new Promise<void>((r) => {
        res.on('end', () => r());
        res.on('close', () => r());
      });
      resolve({ status: res.statusCode ?? 0, text: () => text, ended, close: () => req.destroy() });
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
  });
}

describe('SSE over runEvents', () => {
  it('streams the replay then live events, sends heartbeats while idle, ends on run.done and releases the subscription', async () => {
    const { api, state } = liveApi();
    const t = await startServer(api, { heartbeatMs: 30 });
    try {
      const s = await open(t.base, `/api/runs/${ID}/events`);
      expect(s.status).toBe(200);
      await until(() => s.text().includes('event: run.started'), 'the replayed event');
      await until(() => s.text().includes(': heartbeat'), 'a heartbeat');
      state.listener!(warning(1));
      await until(() => s.text().includes('id: 1\nevent: warning'), 'a live event');
      state.listener!(done(2));
      await s.ended;
      expect(s.text()).toContain('id: 2\nevent: run.done');
      expect(state.stops).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('a client that goes away releases the core subscription', async () => {
    const { api, state } = liveApi();
    const t = await startServer(api, { heartbeatMs: 1000 });
    try {
      const s = await open(t.base, `/api/runs/${ID}/events`);
      await until(() => s.text().includes('event: run.started'), 'the replayed event');
      expect(state.stops).toBe(0);
      s.close();
      await until(() => state.stops === 1, 'the subscription to be released');
      // An event after the client left goes nowhere (the listener was released).
      expect(state.listener).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('an unknown run is a 404 before any byte of the stream', async () => {
    const { api } = liveApi();
    const t = await startServer(api, { heartbeatMs: 1000 });
    try {
      const r = await fetch(`${t.base}/api/runs/01ARZ3NDEKTSV4RRFFQ69G5FAW/events`);
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ error: { code: 'not_found' } });
    } finally {
      await t.close();
    }
  });
});
