// GET /api/runs/:id/events — Server-Sent Events over DjpApi.subscribe. Each event is sent with
// `id: <seq>` so a browser's EventSource resumes with Last-Event-ID; `?after=<seq>` does the same for
// other clients. Comment heartbeats keep proxies from closing an idle stream; the stream ends after
// run.done or run.error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DjpError, isDjpError, runEvents, type DjpApi, type RunEvent } from '../../shared/api/index.js';

export function parseAfterSeq(req: IncomingMessage, url: URL): number | undefined {
  const raw = (req.headers['last-event-id'] as string | undefined) ?? url.searchParams.get('after') ?? undefined;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,12}$/.test(raw.trim())) throw new DjpError('invalid', 'Last-Event-ID / after must be an event seq (a non-negative integer)', 'after');
  return Number(raw.trim());
}

function frame(e: RunEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/**
 * True when the run has finished. Called only after the subscription started, so the run exists:
 * getRun answers for a finished run and throws conflict for a running one. Any other failure (a run
 * that ended in run.error has no artifact: not_found) also means it is not running any more.
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
 * Streams a run's events (runEvents, shared/api/stream.ts: the one streaming helper with
 * cancellation). Throws (before any byte is written) when the run does not exist, so the caller can
 * answer 404 as JSON. Resolves when the stream has ended: after run.done/run.error, or when the client
 * went away (the subscription is released then).
 */
export async function streamEvents(
  api: Pick<DjpApi, 'subscribe' | 'getRun'>,
  runId: string,
  afterSeq: number | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  heartbeatMs: number,
): Promise<void> {
  const gone = new AbortController();
  const events = runEvents(api, runId, { ...(afterSeq !== undefined ? { afterSeq } : {}), signal: gone.signal });
  await events.ready; // not_found → caller's 404
  // A reconnecting client that already has the final event: a finished run has nothing queued for it
  // (checked again after the wait: the run may have finished meanwhile, its run.done then queued).
  // 204 tells EventSource to stop reconnecting, instead of holding an idle stream open forever.
  if (afterSeq !== undefined && events.buffered === 0 && (await isFinished(api, runId)) && events.buffered === 0) {
    await events.return?.();
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
  // res 'close' fires when the client goes away (req 'close' fires once the request is read). It
  // also fires after a stream that ended normally; nothing is left to release then, so the listener
  // goes first (an abort creates a DOMException, stack trace and all, per stream).
  const onClose = (): void => gone.abort();
  res.on('close', onClose);
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
  heartbeat.unref();
  // Frames are batched per event-loop turn: a burst of token deltas becomes one socket write.
  let buffered = 'retry: 3000\n\n';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (buffered && !res.writableEnded) res.write(buffered);
    buffered = '';
  };
  flush();
  try {
    for await (const e of events) {
      buffered += frame(e);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    }
  } catch {
    /* the consumer fell too far behind (DjpError unavailable): end the stream; the client resumes with Last-Event-ID */
  } finally {
    clearInterval(heartbeat);
    if (!gone.signal.aborted) res.off('close', onClose);
    flush();
    if (!res.writableEnded) res.end();
  }
}
