// Export buttons for a finished run: Markdown, HTML and DOCX rendered by the server's export
// operation (shared/export — the same documents as `djp export`), and the artifact as JSON.
import { useState } from 'react';
import type { ExportFormat, RunArtifact } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { ErrorAlert } from '../components/Status.js';
import { useApp } from '../context.js';
import { download, downloadExported } from '../lib/exportRun.js';

const LABELS: Record<ExportFormat, string> = { md: 'Export Markdown', html: 'Export HTML', docx: 'Export DOCX' };


export function ExportButtons({ artifact }: { artifact: RunArtifact | null }) {
  const { client } = useApp();
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (format: ExportFormat) => {
    if (!artifact) return;
    setBusy(format);
    setError(null);
    try {
      const file = await client.exportRun(artifact.id, { format });
      downloadExported(file);
    } catch (e) {
      setError(`Export failed: ${errorMessage(e)}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <div className="row" role="group" aria-label="Export">
        {(['md', 'html', 'docx'] as const).map((f) => (
          <button key={f} type="button" disabled={!artifact || busy !== null} onClick={() => void run(f)}>
            {busy === f ? 'Exporting…' : LABELS[f]}
          </button>
        ))}
        <button type="button" disabled={!artifact} onClick={() => artifact && download(`djp-${artifact.id}.json`, JSON.stringify(artifact, null, 2), 'application/json')}>
          Export JSON
        </button>
      </div>
      {error && <ErrorAlert>{error}</ErrorAlert>}
    </>
  );
}
