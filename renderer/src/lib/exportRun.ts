// Saving a file from the browser. The documents themselves (Markdown, HTML, DOCX) come from the
// server's export operation (shared/export), the same as `djp export`.

/** Starts a download of `data` as `filename` (browser only). */
export function download(filename: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Base64 (an ExportedFile's bytes, as the export operations carry them) → bytes. */
export function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Downloads an exported file ({filename, content_type, base64}: exportRun, exportThread). */
export function downloadExported(file: { filename: string; content_type: string; base64: string }): void {
  download(file.filename, fromBase64(file.base64), file.content_type);
}
