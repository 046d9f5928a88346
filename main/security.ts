// The desktop window's security rules, in plain Node so they are tested without Electron
// (test/desktop/main-process.test.ts runs the compiled main process on a fake electron module):
// a Content-Security-Policy for the packaged file:// renderer (the server's CSP header never reaches
// loadFile), permission requests denied by default, <webview> refused. docs/DESKTOP.md lists each
// Electronegativity finding and what answers it.

/** The packaged renderer talks to the core over IPC only: no network at all (connect-src 'none'). */
export const DESKTOP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The renderer's index.html with the CSP as its first <head> element (a file:// page has no headers). */
export function withCsp(html: string, csp: string = DESKTOP_CSP): string {
  if (!/<head[^>]*>/i.test(html)) throw new Error('renderer index.html has no <head>');
  if (/http-equiv=["']?Content-Security-Policy/i.test(html)) throw new Error('renderer index.html already sets a Content-Security-Policy');
  return html.replace(/<head[^>]*>/i, (m) => `${m}\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`);
}

/** The file main.ts loads: the built renderer page with the CSP (written next to index.html by build:main). */
export const DESKTOP_PAGE = 'desktop.html';

/** Every permission (camera, microphone, notifications, geolocation, openExternal …) is refused: the app needs none. */
export function denyPermissionRequest(_contents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}
export const denyPermissionCheck = (): boolean => false;

interface PreventableEvent {
  preventDefault(): void;
}
interface WebContentsLike {
  on(event: 'will-attach-webview', listener: (e: PreventableEvent) => void): unknown;
}

/** For every web contents the app creates: a <webview> is never attached. */
export function hardenWebContents(contents: WebContentsLike): void {
  contents.on('will-attach-webview', (e) => e.preventDefault());
}
