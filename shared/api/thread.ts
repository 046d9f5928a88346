// Threads and attachments in the contract (issue 12). Browser-safe: zod only.
//
// A run may follow up an earlier run (`follow_up_of`); the runs linked that way form a thread whose id
// is its first run's id. Following up a turn that is not the last starts a branch. Attachments are
// files stored content-addressed (sha256) beside the artifacts; a run lists them and they become its
// grounding corpus.
import * as z from 'zod';
import type { RunArtifact } from './artifact.js';

const UlidString = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a run id (a 26-character ULID)');

/** What of one earlier turn went into this run's prompts. */
export const ThreadContextTurn = z.object({
  run_id: z.string(),
  turn: z.number().int().min(1),
  /** published: its released text; top_draft: no text was published, the top-ranked draft's answer; none: no answer. */
  answer_source: z.enum(['published', 'top_draft', 'none']),
  /** full, shortened (cut to fit --context_tokens) */
  included: z.enum(['full', 'shortened']),
  tokens: z.number().int().min(0),
});
export type ThreadContextTurn = z.infer<typeof ThreadContextTurn>;

export const ThreadContext = z.object({
  budget_tokens: z.number().int().min(0),
  used_tokens: z.number().int().min(0),
  /** The earlier turns in the prompts, oldest first. */
  turns: z.array(ThreadContextTurn),
  /** Earlier turns left out to fit the budget (oldest go first), by run id. */
  dropped: z.array(z.string()),
});
export type ThreadContext = z.infer<typeof ThreadContext>;

/** `thread` in the artifact: the thread id is its first run's id; turn 1 is that run. */
export const ThreadInfo = z.object({
  id: z.string(),
  parent_id: z.string().nullable(),
  turn: z.number().int().min(1),
  /** What of the earlier turns the debaters and judge saw; null on a thread's first turn. */
  context: ThreadContext.nullable(),
});
export type ThreadInfo = z.infer<typeof ThreadInfo>;

export const ATTACHMENT_MEDIA_TYPES = ['text/markdown', 'text/plain', 'application/pdf', 'text/csv', 'application/json'] as const;
export const AttachmentMediaType = z.enum(ATTACHMENT_MEDIA_TYPES);
export type AttachmentMediaType = z.infer<typeof AttachmentMediaType>;

/** What POST /api/attachments returns and a run's artifact lists. */
export const Attachment = z.object({
  id: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  bytes: z.number().int().min(0),
  media_type: AttachmentMediaType,
});
export type Attachment = z.infer<typeof Attachment>;

/** What an upload returns: the stored file's record, and whether it waits in the local outbox. */
export const UploadedAttachment = Attachment.extend({
  /** True when the cloud store failed and the file waits in the server's outbox (djp sync pushes it); it is usable at once. */
  outbox: z.boolean(),
});
export type UploadedAttachment = z.infer<typeof UploadedAttachment>;

/** The name an upload is stored under (HTTP: the X-File-Name header); reduced to its last path segment. */
export const AttachmentFileName = z
  .string({ error: 'file name is required (over HTTP: the X-File-Name header)' })
  .min(1, 'file name is required (over HTTP: the X-File-Name header)')
  .max(1000, 'file name is longer than 1000 characters');

/** An attachment as a run used it. */
export const RunAttachment = Attachment.extend({
  /** inherited: listed by an earlier turn of the thread. */
  source: z.enum(['request', 'inherited']),
  /** False when its text could not be read (e.g. a PDF that does not parse); `warning` says why. */
  used: z.boolean(),
  warning: z.string().nullable(),
});
export type RunAttachment = z.infer<typeof RunAttachment>;

export const AttachmentId = z.string().regex(/^[0-9a-f]{32}$/, 'must be an attachment id (32 hex characters)');

export const FollowUpOf = UlidString;

// --- thread listing --------------------------------------------------------------------------------
/** One run of a thread as the thread view lists it. */
export const ThreadTurn = z.object({
  run_id: z.string(),
  parent_id: z.string().nullable(),
  turn: z.number().int().min(1),
  created_at: z.string(),
  task: z.string(),
  status: z.string(),
});
export type ThreadTurn = z.infer<typeof ThreadTurn>;

export const ThreadSummary = z.object({
  id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  /** The first turn's task (first 200 characters). */
  task: z.string(),
  turns: z.number().int().min(1),
  branches: z.number().int().min(1),
  /** The newest turn's status. */
  last_status: z.string(),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

export const ThreadPage = z.object({ threads: z.array(ThreadSummary), next_cursor: z.string().nullable() });
export type ThreadPage = z.infer<typeof ThreadPage>;

export const ListThreadsQuery = z
  .object({
    /** Matches the task of any turn (case-insensitive). */
    q: z.string().max(500).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ListThreadsQuery = z.input<typeof ListThreadsQuery>;

export const ThreadView = z.object({
  id: z.string(),
  /** Every run of the thread, by creation time. */
  turns: z.array(ThreadTurn),
  /** Each branch as the run ids from the first turn to a leaf, oldest branch first. */
  branches: z.array(z.array(z.string())),
});
export type ThreadView = z.infer<typeof ThreadView>;

/**
 * The answer of one turn as a later turn (and the thread view) sees it: the published text, or — when
 * nothing was published (advisory only, pending or rejected approval) — the top-ranked draft's answer.
 */
export function answerOf(a: RunArtifact): { answer: string | null; source: ThreadContextTurn['answer_source'] } {
  if (a.publish.status === 'published' && a.publish.text) return { answer: a.publish.text, source: 'published' };
  const top = a.judge.ranking[0] ?? a.publish.draft_id ?? a.drafts.find((d) => d.status === 'ok')?.id;
  const d = a.drafts.find((x) => x.id === top && x.answer.trim());
  return d ? { answer: d.answer, source: 'top_draft' } : { answer: null, source: 'none' };
}
