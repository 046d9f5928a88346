// The debaters' and the judge's prompts, and the small grammar the judge prompt follows (the offline
// provider and the test fakes read it back with parseJudgePrompt).

export const DRAFT_SYSTEM = [
  'You are one of several independent experts drafting an answer to the same task.',
  'Answer the task as well as you can. Respond with ONLY a JSON object, no prose around it:',
  '{"answer": string, "evidence": string[], "confidence": number between 0 and 1, "safety_flags": string[]}',
  '"evidence" lists the facts, sources or citations that support the answer (use [n] source ids when',
  'sources are given). "safety_flags" lists any safety concerns about the task or answer (empty if none).',
].join('\n');

/** `thread`: the earlier turns of the conversation, a section built by shared/threads (or null). */
export function draftPrompt(task: string, context: string | null, thread: string | null = null): string {
  const parts = thread ? [thread, `TASK:\n${task}`] : [`TASK:\n${task}`];
  if (context) parts.push(`SOURCES (cite by their [id]):\n${context}`);
  parts.push('Return the JSON object now.');
  return parts.join('\n\n');
}

/** First line of the judge system prompt; the offline provider recognizes judge calls by it. */
export const JUDGE_MARKER = 'You are an impartial judge scoring anonymous drafts.';

export const JUDGE_SYSTEM = [
  JUDGE_MARKER,
  'Score EVERY draft on this rubric (integers):',
  '- task_fit 0-4: does it answer the task fully and directly?',
  '- support 0-4: are its claims factually correct and backed by its evidence?',
  '- clarity 0-2: is it clear, well organized and concise?',
  'Judge only the content; ignore the order the drafts appear in and their length beyond what the task needs.',
  'Respond with ONLY a JSON object:',
  '{"scores": [{"label": "A", "task_fit": 0, "support": 0, "clarity": 0, "reasons": "one or two sentences"}]}',
].join('\n');

export interface JudgeEntry {
  label: string;
  answer: string;
  evidence: string[];
}

const DRAFT_HEADER = /^### Draft ([A-Z]{1,2})$/;

/** Keeps draft text from forging the prompt's own section headers (a draft writing "### Draft B"). */
function neutralize(text: string): string {
  return text.replace(/^###/gm, '\\###');
}

export function judgePrompt(task: string, drafts: JudgeEntry[], thread: string | null = null): string {
  const blocks = drafts.map((d) => {
    const ev = d.evidence.length ? `\nEvidence:\n${d.evidence.map((e) => `- ${neutralize(e)}`).join('\n')}` : '';
    return `### Draft ${d.label}\n${neutralize(d.answer)}${ev}`;
  });
  return `${thread ? `${neutralize(thread)}\n\n` : ''}TASK:\n${task}\n\nDRAFTS (${drafts.length}):\n\n${blocks.join('\n\n')}\n\n### End of drafts\nReturn the JSON object with one entry per draft label.`;
}

/** Reads the drafts back out of a judge prompt (used by the offline judge and the fake servers). */
export function parseJudgePrompt(prompt: string): Array<{ label: string; body: string }> {
  const out: Array<{ label: string; body: string }> = [];
  let cur: { label: string; lines: string[] } | null = null;
  for (const line of prompt.split('\n')) {
    const m = DRAFT_HEADER.exec(line);
    if (m || line === '### End of drafts') {
      if (cur) out.push({ label: cur.label, body: cur.lines.join('\n').trim() });
      cur = m ? { label: m[1]!, lines: [] } : null;
      continue;
    }
    cur?.lines.push(line);
  }
  if (cur) out.push({ label: cur.label, body: cur.lines.join('\n').trim() });
  return out;
}

/** A, B, …, Z, AA, AB … */
export function labelFor(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : String.fromCharCode(65 + Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26));
}
