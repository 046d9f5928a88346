// Files attached to a run or a follow-up: drag-and-drop onto the drop zone, the browser's file picker,
// or — in the desktop app — the native file dialog (the bridge's pickFiles). Each file is uploaded at
// once (uploadAttachment: the server sniffs the type and enforces the size limit) and listed with its
// name, size and type, with Remove. A refused file (413 too large, 415 unsupported type) is reported
// at the field, naming the file; the others still attach.
import { useId, useRef, useState, type DragEvent } from 'react';
import type { UploadedAttachment } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { useApp } from '../context.js';

export const ACCEPT = '.md,.markdown,.txt,.pdf,.csv,.json';

const TYPE_LABEL: Record<string, string> = {
  'text/markdown': 'Markdown',
  'text/plain': 'text',
  'application/pdf': 'PDF',
  'text/csv': 'CSV',
  'application/json': 'JSON',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export interface AttachmentsProps {
  /** Prefix of the element ids (the file input is `${id}-input`, the error `${id}-error`). */
  id: string;
  value: UploadedAttachment[];
  onChange: (next: UploadedAttachment[]) => void;
  /** Shown above the drop zone. */
  label?: string;
  /** An error the server gave for the request's `attachments` field (shown here, at the field). */
  fieldError?: string | null;
}

export function Attachments({ id, value, onChange, label = 'Attachments', fieldError }: AttachmentsProps) {
  const { client } = useApp();
  const input = useRef<HTMLInputElement>(null);
  const hint = useId();
  const [uploading, setUploading] = useState<string[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [over, setOver] = useState(false);
  // The latest list, for uploads finishing one after another.
  const current = useRef(value);
  current.current = value;

  const upload = async (files: Array<{ name: string; data: () => Promise<Uint8Array> }>) => {
    if (files.length === 0) return;
    setErrors([]);
    setUploading((u) => [...u, ...files.map((f) => f.name)]);
    const failed: string[] = [];
    for (const f of files) {
      try {
        const up = await client.uploadAttachment(f.name, await f.data());
        if (!current.current.some((a) => a.id === up.id)) {
          current.current = [...current.current, up];
          onChange(current.current);
        }
      } catch (e) {
        failed.push(`${f.name}: ${errorMessage(e)}`);
      } finally {
        setUploading((u) => {
          const i = u.indexOf(f.name);
          return i === -1 ? u : [...u.slice(0, i), ...u.slice(i + 1)];
        });
      }
    }
    setErrors(failed);
  };

  const fromFileList = (list: FileList | null) =>
    void upload([...(list ?? [])].map((file) => ({ name: file.name, data: async () => new Uint8Array(await file.arrayBuffer()) })));

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    fromFileList(e.dataTransfer.files);
  };

  const pickNative = async () => {
    if (!client.pickFiles) return;
    try {
      const picked = await client.pickFiles();
      void upload(picked.map((p) => ({ name: p.name, data: async () => p.data })));
    } catch (e) {
      setErrors([errorMessage(e)]);
    }
  };

  const shownErrors = [...errors, ...(fieldError ? [fieldError] : [])];
  return (
    <div className="attachments" data-testid={`${id}-attachments`}>
      <span className="label-text" id={`${id}-label`}>
        {label}
      </span>
      <div
        className={`drop-zone${over ? ' over' : ''}`}
        data-testid={`${id}-drop`}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        aria-describedby={hint}
      >
        <span id={hint} className="muted small">
          Drop files here (.md, .txt, .pdf, .csv, .json) — they become the run's grounding documents.
        </span>
        {client.pickFiles ? (
          <button type="button" onClick={() => void pickNative()} aria-describedby={`${id}-label`}>
            Choose files…
          </button>
        ) : (
          <>
            <label className="sr-only" htmlFor={`${id}-input`}>
              {label}: choose files
            </label>
            <input
              ref={input}
              id={`${id}-input`}
              type="file"
              multiple
              accept={ACCEPT}
              aria-invalid={shownErrors.length > 0}
              aria-describedby={shownErrors.length ? `${id}-error` : undefined}
              onChange={(e) => {
                fromFileList(e.target.files);
                e.target.value = '';
              }}
            />
          </>
        )}
      </div>
      {uploading.length > 0 && (
        <p className="muted small" role="status">
          Uploading {uploading.join(', ')}…
        </p>
      )}
      {shownErrors.length > 0 && (
        <div className="error" role="alert" id={`${id}-error`}>
          {shownErrors.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      )}
      {value.length > 0 && (
        <ul className="attached" aria-label={`${label}: attached files`}>
          {value.map((a) => (
            <li key={a.id} data-attachment={a.id}>
              <span className="attached-name">{a.name}</span>{' '}
              <span className="muted small">
                {formatBytes(a.bytes)} · {TYPE_LABEL[a.media_type] ?? a.media_type}
                {a.outbox ? ' · waiting to sync to the store' : ''}
              </span>{' '}
              <button type="button" className="link" aria-label={`Remove ${a.name}`} onClick={() => onChange(value.filter((x) => x.id !== a.id))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
