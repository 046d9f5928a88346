// Attachments: uploaded files stored (sniffed, limited, content-addressed) and read back.
import { OPERATIONS, parseArg, type CallContext } from '../../api/index.js';
import { defineModule } from './registry.js';

export const attachmentsModule = defineModule('attachments', (ctx) => {
  const store = () => {
    if (!ctx.attachments) throw ctx.noAttachments();
    return ctx.attachments;
  };
  return {
    // Stores one uploaded file (sniffed, limited, content-addressed); too_large 413, unsupported_type 415.
    async uploadAttachment(name: string, data: Uint8Array, callCtx: CallContext) {
      const attachments = store();
      // In-process callers (CLI, desktop) have not been checked by a transport: the table's checks, naming the field.
      const [fileName, bytes] = OPERATIONS.uploadAttachment.args.map((a, i) => parseArg('uploadAttachment', i, a, [name, data][i])) as [string, Uint8Array];
      const r = await attachments.put(fileName, bytes);
      ctx.log?.info({ attachment: r.attachment.id, sha256: r.attachment.sha256, bytes: r.attachment.bytes, media_type: r.attachment.media_type, by: callCtx.identity.user, outbox: r.outbox?.path ?? null }, 'attachment stored');
      return { ...r.attachment, outbox: r.outbox !== null };
    },

    // An attachment as a file: its bytes (checked against its sha256), media type and name.
    async getAttachment(id: string) {
      const { attachment, data } = await store().read(id);
      return { filename: attachment.name, content_type: attachment.media_type.startsWith('text/') ? `${attachment.media_type}; charset=utf-8` : attachment.media_type, data };
    },
  };
});
