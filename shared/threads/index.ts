// Threads (issue 12): follow-ups that carry the conversation. See docs/THREADS.md.
export { answerOf, buildThreadContext, earlierTurn, SHORT_ANSWER_CHARS, SHORT_TASK_CHARS, type BuiltContext, type EarlierTurn } from './context.js';
export { MAX_THREAD_TURNS, resolveFollowUp, type ResolvedFollowUp } from './resolve.js';
export { exportThreadFile, threadMarkdown } from './export.js';
export { branchesOf, entryOf, ThreadEntry, threadEntryKey, THREADS_PREFIX, ThreadStore } from './store.js';
