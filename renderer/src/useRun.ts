// Follows one run: live through its events, then (or directly, for a finished run) its artifact.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { RunArtifact, RunEvent } from '../../shared/api/index.js';
import { errorMessage } from './api/client.js';
import { useApp } from './context.js';
import { applyEvent, emptyRunView, mergeSaved, viewFromArtifact, type RunView } from './lib/runView.js';

type Action = { kind: 'event'; event: RunEvent } | { kind: 'reset'; runId: string };

function reducer(view: RunView, a: Action): RunView {
  return a.kind === 'reset' ? emptyRunView(a.runId) : applyEvent(view, a.event);
}

export interface UseRun {
  view: RunView;
  artifact: RunArtifact | null;
  /** Why the run could not be followed or loaded. */
  loadError: string | null;
  /** The live connection: 'lost' while it is being retried, 'back' for a moment after it returns. */
  connection: 'ok' | 'lost' | 'back';
  setArtifact: (a: RunArtifact) => void;
}

/**
 * Follows the run's events — live while it runs; for a finished run the service replays them from its
 * artifact — then loads the artifact after run.done. (Asking for the artifact first would log a 404
 * in the console for every run still in progress.)
 */
export function useRun(runId: string): UseRun {
  // '' follows nothing (a screen whose run is not chosen yet, e.g. one side of Compare).
  const { client } = useApp();
  const [view, dispatch] = useReducer(reducer, runId, emptyRunView);
  const [artifact, setArtifact] = useState<RunArtifact | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [connection, setConnection] = useState<'ok' | 'lost' | 'back'>('ok');
  const stopRef = useRef<(() => void) | null>(null);

  useEffect(() => {
    let active = true;
    dispatch({ kind: 'reset', runId });
    setArtifact(null);
    setLoadError(null);
    setConnection('ok');
    if (!runId) return;
    let backTimer: ReturnType<typeof setTimeout> | undefined;

    // A run that is still live answers GET /api/runs/{id} with 409 ("still running"), and a browser logs
    // every failed request. So the artifact is asked for only once the event stream has said the run
    // is over (run.done / run.error); a 409 then (the run is live again as far as this server knows,
    // e.g. another replica) means "follow its events again", never an error.
    const isConflict = (e: unknown) => (e as { code?: string }).code === 'conflict';
    let lastSeq: number | undefined;
    let refollowTimer: ReturnType<typeof setTimeout> | undefined;
    const refollow = () => {
      stopRef.current?.();
      refollowTimer = setTimeout(() => active && follow(), 1000);
    };

    const loadArtifact = (retries: number) => {
      client.getRun(runId).then(
        (a) => active && setArtifact(a),
        (e: unknown) => {
          if (!active) return;
          if (isConflict(e)) return refollow();
          // The artifact can land a moment after run.done; try again briefly.
          if (retries > 0) setTimeout(() => active && loadArtifact(retries - 1), 400);
          else setLoadError(`The run finished but its saved record could not be loaded: ${errorMessage(e)}`);
        },
      );
    };

    const follow = () => {
      stopRef.current = client.subscribe(
        runId,
        (event) => {
          if (!active) return;
          lastSeq = event.seq;
          dispatch({ kind: 'event', event });
          if (event.type === 'run.done' || event.type === 'run.error') loadArtifact(5);
        },
        {
          ...(lastSeq !== undefined ? { afterSeq: lastSeq } : {}),
          onConnection: (state) => {
            if (!active) return;
            clearTimeout(backTimer);
            setConnection(state);
            if (state === 'back') backTimer = setTimeout(() => active && setConnection('ok'), 6000);
          },
          onError: (e) => {
            if (!active) return;
            setConnection('ok');
            // The stream is gone; the run may still have finished — show its record when it exists.
            client.getRun(runId).then(
              (a) => active && setArtifact(a),
              (e2: unknown) => {
                if (!active) return;
                if (isConflict(e2)) refollow(); // still running: follow its events again
                else if ((e2 as { code?: string }).code === 'not_found') setLoadError(`Run ${runId} was not found: it may have been deleted, or the link is wrong.`);
                else setLoadError(`Lost the live connection to this run: ${errorMessage(e)}`);
              },
            );
          },
        },
      );
    };

    follow();

    return () => {
      active = false;
      clearTimeout(backTimer);
      clearTimeout(refollowTimer);
      stopRef.current?.();
      stopRef.current = null;
    };
  }, [client, runId]);

  const shown = artifact ? mergeSaved(view, viewFromArtifact(artifact, view.artifactLocation)) : view;
  return { view: shown, artifact, loadError, connection: artifact ? 'ok' : connection, setArtifact: useCallback((a: RunArtifact) => setArtifact(a), []) };
}
