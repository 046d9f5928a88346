// Threads: the follow-up index (list, one thread's turns and branches) and a thread exported
// (Markdown, HTML or DOCX through shared/export's renderers).
import { isDjpError, type ListThreadsQuery, type RunArtifact, type ThreadExportQuery, type ThreadView } from '../../api/index.js';
import { entryOf, exportThreadFile } from '../../threads/index.js';
import { defineModule } from './registry.js';

export const threadsModule = defineModule('threads', (ctx) => {
  const threads = () => {
    if (!ctx.threads) throw ctx.noThreads();
    return ctx.threads;
  };
  /**
   * A thread's view. A run nothing followed up yet is a one-turn thread (its own id, one branch), so
   * a client shows every run the same way; an id that is no run and no thread is not_found.
   */
  async function view(threadId: string): Promise<ThreadView> {
    try {
      return await threads().view(threadId);
    } catch (e) {
      if (!(isDjpError(e) && e.code === 'not_found')) throw e;
      const a = await ctx.store.load(threadId).catch(() => null);
      if (!a || (a.thread && a.thread.id !== a.id)) throw e;
      const { run_id, parent_id, turn, created_at, task, status } = entryOf(a);
      return { id: a.id, turns: [{ run_id, parent_id, turn, created_at, task, status }], branches: [[a.id]] };
    }
  }
  return {
    async listThreads(query?: ListThreadsQuery) {
      return threads().list(query ?? {});
    },

    async getThread(threadId: string) {
      return view(threadId);
    },

    async exportThread(threadId: string, query?: ThreadExportQuery) {
      const { parseExportFormat, toExportedFile } = await import('../../export/index.js');
      const format = parseExportFormat((query as { format?: unknown } | undefined)?.format ?? 'md');
      const v = await view(threadId);
      const runs = await Promise.all(v.turns.map((t) => ctx.store.load(t.run_id).catch((e: unknown) => (isDjpError(e) && e.code === 'not_found' ? null : Promise.reject(e)))));
      return toExportedFile(await exportThreadFile(v, runs.filter((a): a is RunArtifact => a !== null), format));
    },
  };
});
