// Resolving a follow-up: the chain of earlier runs from the thread's first turn to the run being
// followed up, the new run's ThreadInfo and its prompt section, and the attachments it inherits.
import { DjpError, isDjpError, type RunArtifact, type RunAttachment, type ThreadInfo } from '../api/index.js';
import { buildThreadContext, earlierTurn } from './context.js';

/** A thread longer than this is refused (it would also not fit any sensible context budget). */
export const MAX_THREAD_TURNS = 500;

export interface ResolvedFollowUp {
  /** Oldest first; the last is the run being followed up. */
  chain: RunArtifact[];
  /** ThreadInfo for the new run (its id is not known yet: the thread id is the chain's first run). */
  info: ThreadInfo;
  section: string | null;
  /** Attachments listed by the chain's runs, oldest first, each once. */
  inherited: RunAttachment[];
}

/**
 * Walks parent links from `followUpOf` back to the thread's first run. `load` reads a run (throws
 * DjpError not_found when missing). A missing `follow_up_of` is not_found naming the field; a loop
 * in the stored links (hand-edited artifacts) is refused: a thread can never form a cycle.
 */
export async function resolveFollowUp(followUpOf: string, load: (id: string) => Promise<RunArtifact>, budgetTokens: number): Promise<ResolvedFollowUp> {
  const chain: RunArtifact[] = [];
  const seen = new Set<string>();
  let id: string | null = followUpOf;
  while (id !== null) {
    if (seen.has(id)) throw new DjpError('invalid', `follow_up_of: the thread of run ${followUpOf} forms a cycle at run ${id}; it cannot be followed up`, 'follow_up_of');
    if (chain.length >= MAX_THREAD_TURNS) throw new DjpError('invalid', `follow_up_of: the thread of run ${followUpOf} has more than ${MAX_THREAD_TURNS} turns`, 'follow_up_of');
    seen.add(id);
    let a: RunArtifact;
    try {
      a = await load(id);
    } catch (e) {
      if (isDjpError(e) && e.code === 'not_found')
        throw new DjpError('not_found', id === followUpOf ? `follow_up_of: run ${id} not found` : `follow_up_of: run ${followUpOf} follows up run ${id}, which no longer exists`, 'follow_up_of', { cause: e });
      if (isDjpError(e) && e.code === 'conflict') throw new DjpError('conflict', `follow_up_of: run ${id} is still running; follow it up once it has finished`, 'follow_up_of', { cause: e });
      throw e;
    }
    chain.unshift(a);
    id = a.thread?.parent_id ?? null;
  }
  const root = chain[0]!;
  const threadId = root.thread?.id ?? root.id;
  const turns = chain.map((a, i) => earlierTurn(a, i + 1));
  const built = buildThreadContext(turns, budgetTokens);
  const inherited = new Map<string, RunAttachment>();
  for (const a of chain) for (const att of a.attachments ?? []) if (!inherited.has(att.id)) inherited.set(att.id, { ...att, source: 'inherited', used: true, warning: null });
  return {
    chain,
    info: { id: threadId, parent_id: followUpOf, turn: chain.length + 1, context: built.context },
    section: built.section,
    inherited: [...inherited.values()],
  };
}
