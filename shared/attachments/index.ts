// Attachments (issue 12): files uploaded for a run, stored content-addressed beside the artifacts,
// used as the run's grounding corpus. See docs/THREADS.md.
export { ATTACHMENTS_CORPUS_ROOT, loadRunAttachments, type RunAttachments } from './corpus.js';
export { attachmentLimits, DEFAULT_FILE_BYTES, DEFAULT_RUN_BYTES, mb, type AttachmentLimits } from './limits.js';
export { ATTACHMENT_EXTENSIONS, asText, sniffMediaType } from './sniff.js';
export { ATTACHMENTS_PREFIX, AttachmentStore, attachmentIdOf, blobKey, cleanName, metaKey, type AttachmentStoreOptions, type PutResult } from './store.js';
