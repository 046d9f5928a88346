// The labelled offline provider: deterministic, no network. Every model it serves is named
// `offline/*`, and every draft it writes says it is an offline placeholder. It returns valid draft
// JSON and valid judge JSON (it recognizes judge calls by the judge prompt) and streams its text in
// small deltas, so a fresh machine can run the whole pipeline end to end.
import { JUDGE_MARKER, parseJudgePrompt } from '../djp/prompts.js';
import { ProviderCallError } from './errors.js';
import { TextCollector } from './streaming.js';
import type { CompletionRequest, CompletionResult, LlmProvider } from './types.js';

export const OFFLINE_MODELS = ['offline/alpha', 'offline/beta', 'offline/gamma'] as const;
export const OFFLINE_JUDGE_MODEL = 'offline/judge';

/** FNV-1a, for deterministic choices. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function estimateTokens(s: string): number {
  return Math.max(1, Math.ceil(s.length / 4));
}

const STYLES = [
  'Start from the core of the task, then list the steps in order.',
  'Give the short answer first, then the reasoning behind it.',
  'Weigh the main options, then recommend one.',
];

export function offlineDraft(task: string, model: string): string {
  const h = hash32(`${model}\n${task}`);
  const style = STYLES[h % STYLES.length]!;
  const topic = task.trim().replace(/\s+/g, ' ').slice(0, 160);
  const answer = `[${model} — offline placeholder, not a real model answer] ${style} Task: "${topic}".`;
  return JSON.stringify({
    answer,
    evidence: [`offline: no sources consulted (${model})`],
    confidence: Math.round((0.3 + (h % 50) / 100) * 100) / 100,
    safety_flags: [],
  });
}

export function offlineJudge(prompt: string): string {
  const drafts = parseJudgePrompt(prompt);
  const scores = drafts.map((d) => {
    const h = hash32(d.body); // depends on the content only, not the order or label
    return {
      label: d.label,
      task_fit: 2 + (h % 3),
      support: 1 + ((h >>> 3) % 3),
      clarity: 1 + ((h >>> 6) % 2),
      reasons: 'offline judge: deterministic placeholder scores derived from the draft text, not an assessment.',
    };
  });
  return JSON.stringify({ scores });
}

export function createOfflineProvider(opts: { chunkChars?: number } = {}): LlmProvider {
  const chunk = opts.chunkChars ?? 24;
  return {
    id: 'offline',
    listModels: async () => [...OFFLINE_MODELS, OFFLINE_JUDGE_MODEL],
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      if (!req.model.startsWith('offline/')) throw new ProviderCallError(`offline provider serves only offline/* models, not ${req.model}`, 'other');
      const task = /^TASK:\n([\s\S]*?)\n\n(?:SOURCES|Return the JSON)/.exec(req.prompt)?.[1] ?? req.prompt;
      const text = req.system.startsWith(JUDGE_MARKER) ? offlineJudge(req.prompt) : offlineDraft(task, req.model);
      const got = new TextCollector(req.maxChars, req.onDelta);
      for (let i = 0; i < text.length; i += chunk) {
        if (req.signal.aborted) throw new ProviderCallError('cancelled', 'cancelled');
        if (!got.push(text.slice(i, i + chunk))) break;
        await new Promise<void>((r) => setImmediate(r));
      }
      const input = estimateTokens(req.system + req.prompt);
      const output = estimateTokens(got.text);
      return {
        text: got.text,
        usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
        response_model: req.model,
        finish_reason: 'stop',
        truncated: got.capped ? 'answer_cap' : null,
        structured: req.json ? 'prompt' : null,
      };
    },
  };
}
