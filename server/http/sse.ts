// GET /api/runs/:id/events — Server-Sent Events over DjpApi.subscribe. Each event is sent with
// `id: <seq>` so a browser's EventSource resumes with Last-Event-ID; `?after=<seq>` does the same for
// other clients. Comment heartbeats keep proxies from closing an idle stream; the stream ends after
// run.done or run.error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DjpError, isDjpError, type DjpApi, type RunEvent, type Unsubscribe } from '../../shared/api/index.js';

export function parseAfterSeq(req: IncomingMessage, url: URL): number | undefined {
  const raw = (req.headers['last-event-id'] as string | undefined) ?? url.searchParams.get('after') ?? undefined;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,12}$/.test(raw.trim())) throw new DjpError('invalid', 'Last-Event-ID / after must be an event seq (a non-negative integer)', 'after');
  return Number(raw.trim());
}

function frame(e: RunEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

const isFinal = (e: RunEvent): boolean => e.type === 'run.done' || e.type === 'run.error';

/**
 * True when the run has finished. Called only after subscribe() succeeded, so the run exists: getRun
 * answers for a finished run and throws conflict for a running one. Any other failure (a run that
 * ended in run.error has no artifact: not_found) also means it is not running any more.
 */
async function isFinished(api: Pick<DjpApi, 'getRun'>, runId: string): Promise<boolean> {
  try {
    await api.getRun(runId);
    return true;
  } catch (e) {
    return !(isDjpError(e) && e.code === 'conflict');
  }
}

/**
 * Streams a run's events. Throws (before any byte is written) when the run does not exist, so the
 * caller can answer 404 as JSON. Resolves when the stream has ended.
 */
export async function streamEvents(
  api: Pick<DjpApi, 'subscribe' | 'getRun'>,
  runId: string,
  afterSeq: number | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  heartbeatMs: number,
): Promise<void> {
  const pending: RunEvent[] = [];
  let open = false;
  let finished = false;
  let unsubscribe: Unsubscribe | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const end = (): void => {
    if (finished) return;
    finished = true;
    if (heartbeat) clearInterval(heartbeat);
    try {
      unsubscribe?.();
    } catch {
      /* the run is gone; nothing to release */
    }
    if (!res.writableEnded) res.end();
    resolveDone();
  };

  // Frames are batched per event-loop turn: a burst of token deltas becomes one socket write.
  let buffered = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (buffered && !res.writableEnded) res.write(buffered);
    buffered = '';
  };
  const write = (e: RunEvent): void => {
    if (finished) return;
    buffered += frame(e);
    if (isFinal(e)) {
      flush();
      end();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  const listener = (e: RunEvent): void => {
    if (open) write(e);
    else pending.push(e);
  };

  unsubscribe = await api.subscribe(runId, listener, afterSeq); // throws not_found → caller's 404
  if (afterSeq !== undefined && !pending.some(isFinal) && (await isFinished(api, runId)) && !pending.some(isFinal)) {
    // A reconnecting client that already has the final event: 204 tells EventSource to stop
    // reconnecting, instead of holding an idle stream open forever.
    unsubscribe();
    res.writeHead(204, { 'cache-control': 'no-store' });
    res.end();
    return;
  }

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  buffered = 'retry: 3000\n\n';
  open = true;
  for (const e of pending.splice(0)) write(e);
  flush();
  if (finished) return done;
  heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
  heartbeat.unref();
  // res 'close' fires when the client goes away (req 'close' fires once the request is read).
  res.on('close', end);
  return done;
}
