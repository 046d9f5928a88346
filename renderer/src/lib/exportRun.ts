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
