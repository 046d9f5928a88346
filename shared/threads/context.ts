// The thread context of a follow-up: the earlier turns (task and answer) that the debaters and the
// judge see, fitted into a token budget, and the prompt section that carries them.
//
// Each earlier turn contributes its task and its answer: the published text, or — when nothing was
// published (advisory only, pending or rejected approval, no winner) — the top-ranked draft's answer.
// When the turns do not fit `budget` tokens, the OLDEST turns are shortened first (task and answer cut
// to a head), then dropped, oldest first; the turn being followed up is kept last of all and, alone
// over budget, cut to fit. What went in is recorded in the artifact (ThreadInfo.context).
import { answerOf, type RunArtifact, type ThreadContext, type ThreadContextTurn } from '../api/index.js';
import { estimateTokens } from '../cost/projection.js';

/** A shortened turn keeps about this many characters of its task and of its answer. */
export const SHORT_TASK_CHARS = 240;
export const SHORT_ANSWER_CHARS = 480;
/** Every turn's framing ("Turn n", labels) costs about this many tokens. */
const TURN_OVERHEAD_TOKENS = 12;
const SECTION_OVERHEAD_TOKENS = 30;

export interface EarlierTurn {
  run_id: string;
  turn: number;
  task: string;
  answer: string | null;
  answer_source: ThreadContextTurn['answer_source'];
}

/** The answer a later turn sees for one earlier run (in shared/api: the thread view shows the same). */
export { answerOf };

export function earlierTurn(a: RunArtifact, turn: number): EarlierTurn {
  const { answer, source } = answerOf(a);
  return { run_id: a.id, turn, task: a.task, answer, answer_source: source };
}

function cut(text: string, chars: number): string {
  if (text.length <= chars) return text;
  // Cut at a word boundary when one is near, and say that text was left out.
  const head = text.slice(0, chars);
  const sp = head.lastIndexOf(' ');
  return `${(sp > chars * 0.6 ? head.slice(0, sp) : head).trimEnd()} […]`;
}

interface Piece {
  turn: EarlierTurn;
  task: string;
  answer: string | null;
  included: ThreadContextTurn['included'];
}

const cost = (p: Piece) => TURN_OVERHEAD_TOKENS + estimateTokens(p.task) + (p.answer ? estimateTokens(p.answer) : 0);

/** Keeps prompt text from forging the prompt's own section headers (as prompts.ts does for drafts). */
function neutralize(text: string): string {
  return text.replace(/^(###|=== )/gm, '\\$1');
}

function render(pieces: Piece[]): string {
  const blocks = pieces.map((p) => {
    const label = p.turn.answer_source === 'published' ? 'Answer (published)' : p.turn.answer_source === 'top_draft' ? 'Answer (best draft, not published)' : 'Answer';
    return `=== Turn ${p.turn.turn}\nTask: ${neutralize(p.task)}\n${label}: ${p.answer === null ? '(no answer)' : neutralize(p.answer)}`;
  });
  return `CONVERSATION SO FAR (earlier turns of this thread, oldest first; the TASK below follows up on them):\n\n${blocks.join('\n\n')}\n\n=== End of conversation`;
}

export interface BuiltContext {
  /** The prompt section, or null when no turn fits (budget 0). */
  section: string | null;
  context: ThreadContext;
}

/**
 * Fits `turns` (oldest first; the last is the run being followed up) into `budget` tokens.
 */
export function buildThreadContext(turns: EarlierTurn[], budget: number): BuiltContext {
  const pieces: Piece[] = turns.map((t) => ({ turn: t, task: t.task, answer: t.answer, included: 'full' }));
  const total = () => SECTION_OVERHEAD_TOKENS + pieces.reduce((n, p) => n + cost(p), 0);
  // 1. shorten, oldest first (the followed-up turn last)
  for (let i = 0; i < pieces.length && total() > budget; i++) {
    const p = pieces[i]!;
    const task = cut(p.task, SHORT_TASK_CHARS);
    const answer = p.answer === null ? null : cut(p.answer, SHORT_ANSWER_CHARS);
    if (task !== p.task || answer !== p.answer) pieces[i] = { ...p, task, answer, included: 'shortened' };
  }
  // 2. drop, oldest first, keeping the followed-up turn
  const dropped: string[] = [];
  while (pieces.length > 1 && total() > budget) dropped.push(pieces.shift()!.turn.run_id);
  // 3. the followed-up turn alone is still too long: cut it to what is left (a third for the task)
  if (pieces.length === 1 && total() > budget) {
    const p = pieces[0]!;
    let room = Math.max(0, budget - SECTION_OVERHEAD_TOKENS - TURN_OVERHEAD_TOKENS) * 4; // ~4 characters per token
    while (room >= 32) {
      const task = cut(p.task, Math.min(p.task.length, Math.floor(room / 3)));
      const answer = p.answer === null ? null : cut(p.answer, Math.max(0, room - task.length));
      pieces[0] = { ...p, task, answer, included: 'shortened' };
      if (total() <= budget) break;
      room = Math.floor(room * 0.8);
    }
    if (room < 32) dropped.push(pieces.shift()!.turn.run_id);
  }
  const context: ThreadContext = {
    budget_tokens: budget,
    used_tokens: pieces.length ? total() : 0,
    turns: pieces.map((p) => ({ run_id: p.turn.run_id, turn: p.turn.turn, answer_source: p.turn.answer_source, included: p.included, tokens: cost(p) })),
    dropped,
  };
  return { section: pieces.length ? render(pieces) : null, context };
}
