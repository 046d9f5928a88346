// Helpers for server tests: start a DjpServer on 127.0.0.1:0, read SSE streams, capture logs.
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { RunEvent } from '../../shared/api/index.js';
import { createNoAuthenticator, type Authenticator } from '../../server/auth/index.js';
import { createLogger, createServer, type DjpServer, type DrainableApi, type ServerOptions } from '../../server/http/index.js';
import type { LoggerOptions } from '../../server/http/logger.js';

export interface Started {
  base: string;
  server: DjpServer;
  logs: string[];
  logger: Logger;
  close(): Promise<void>;
}

export function captureLogger(redact?: (s: string) => string, opts: Omit<LoggerOptions, 'destination' | 'redact'> = {}): { logger: Logger; logs: string[] } {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', destination, ...opts, ...(redact ? { redact } : {}) }), logs };
}

export async function startServer(api: DrainableApi, opts: Partial<ServerOptions> & { auth?: Authenticator } = {}): Promise<Started> {
  const { logger, logs } = captureLogger();
  const server = createServer({ api, auth: opts.auth ?? createNoAuthenticator('tester'), logger, staticDir: null, ...opts });
  const addr = await server.listen(0, '127.0.0.1');
  return {
    base: `http://127.0.0.1:${addr.port}`,
    server,
    logs,
    logger,
    async close() {
      server.server.closeAllConnections();
      await new Promise<void>((r) => server.server.close(() => r()));
    },
  };
}

export interface SseEvent {
  id: string | null;
  event: string | null;
  data: string;
  /** ms since the request was sent when this event arrived. */
  t: number;
}

/** Reads an SSE response to its end (or until `stop` returns true). */
export async function readSse(res: Response, stop?: (e: SseEvent) => boolean): Promise<SseEvent[]> {
  const t0 = Date.now();
  const out: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const e: SseEvent = { id: null, event: null, data: '', t: Date.now() - t0 };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) e.id = line.slice(4);
        else if (line.startsWith('event: ')) e.event = line.slice(7);
        else if (line.startsWith('data: ')) {
          e.data += line.slice(6);
          hasData = true;
        }
      }
      if (hasData) {
        out.push(e);
        if (stop?.(e)) {
          await reader.cancel();
          return out;
        }
      }
    }
  }
  return out;
}

export function events(sse: SseEvent[]): RunEvent[] {
  return sse.map((e) => JSON.parse(e.data) as RunEvent);
}
