// Threads: the follow-up index (list, one thread's turns and branches) and a thread exported.
import { isDjpError, type ListThreadsQuery, type RunArtifact } from '../../api/index.js';
import { threadMarkdown } from '../../threads/index.js';
import { defineModule } from './registry.js';

export const threadsModule = defineModule('threads', (ctx) => {
  const threads = () => {
    if (!ctx.threads) throw ctx.noThreads();
    return ctx.threads;
  };
  return {
    async listThreads(query?: ListThreadsQuery) {
      return threads().list(query ?? {});
    },

    async getThread(threadId: string) {
      return threads().view(threadId);
    },

    async exportThread(threadId: string) {
      const view = await threads().view(threadId);
      const runs = await Promise.all(view.turns.map((t) => ctx.store.load(t.run_id).catch((e: unknown) => (isDjpError(e) && e.code === 'not_found' ? null : Promise.reject(e)))));
      const md = threadMarkdown(view, runs.filter((a): a is RunArtifact => a !== null));
      return { format: 'md' as const, filename: `djp-thread-${view.id}.md`, content_type: 'text/markdown; charset=utf-8', base64: Buffer.from(md, 'utf8').toString('base64') };
    },
  };
});
