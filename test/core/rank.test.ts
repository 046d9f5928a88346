// Ranking ties (issue 2): score, then allowed-by-policy, then the support subscore, then debater order.
import { describe, expect, it } from 'vitest';
import type { Draft, DraftScore } from '../../shared/api/index.js';
import { emptyDraft } from '../../shared/djp/debate.js';
import { rankScores } from '../../shared/djp/judge.js';

const drafts: Draft[] = [
  emptyDraft('d1', { provider: 'anthropic', model: 'a' }),
  emptyDraft('d2', { provider: 'openai', model: 'b' }),
  emptyDraft('d3', { provider: 'google', model: 'c' }),
  emptyDraft('d4', { provider: 'openai', model: 'd' }),
];
const sc = (draft_id: string, task_fit: number, support: number, clarity: number): DraftScore => ({
  draft_id,
  status: 'scored',
  score: task_fit + support + clarity,
  subscores: { task_fit, support, clarity },
  reasons: '',
  pass_scores: [task_fit + support + clarity],
});
const all = () => true;

describe('rankScores', () => {
  it('orders by score first', () => {
    expect(rankScores([sc('d1', 2, 2, 1), sc('d2', 4, 4, 2), sc('d3', 3, 3, 1)], drafts, all)).toEqual(['d2', 'd3', 'd1']);
  });

  it('equal scores: a draft the policy allows ranks above one it does not', () => {
    const openaiOnly = (d: Draft) => d.provider === 'openai';
    expect(rankScores([sc('d1', 3, 3, 2), sc('d2', 3, 3, 2)], drafts, openaiOnly)).toEqual(['d2', 'd1']);
  });

  it('equal score and policy: the higher support subscore wins', () => {
    expect(rankScores([sc('d1', 4, 2, 2), sc('d3', 3, 3, 2)], drafts, all)).toEqual(['d3', 'd1']);
  });

  it('all equal: stable debater order, whatever order the scores came in', () => {
    expect(rankScores([sc('d4', 3, 3, 2), sc('d2', 3, 3, 2), sc('d3', 3, 3, 2)], drafts, all)).toEqual(['d2', 'd3', 'd4']);
  });

  it('unscored and disqualified drafts are not ranked', () => {
    const unscored: DraftScore = { draft_id: 'd1', status: 'unscored', score: null, subscores: null, reasons: '', pass_scores: [null] };
    const disq: DraftScore = { draft_id: 'd3', status: 'disqualified', score: 0, subscores: null, reasons: 'x', pass_scores: [] };
    expect(rankScores([unscored, sc('d2', 1, 1, 1), disq], drafts, all)).toEqual(['d2']);
  });
});
