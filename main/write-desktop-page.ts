// Build step (npm run build:main): writes dist/renderer/desktop.html — the built renderer page with the
// desktop Content-Security-Policy (main/security.ts). The web build's index.html is left as it is (the
// server sends its own CSP header).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DESKTOP_PAGE, withCsp } from './security.js';

const renderer = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
writeFileSync(path.join(renderer, DESKTOP_PAGE), withCsp(readFileSync(path.join(renderer, 'index.html'), 'utf8')));
process.stdout.write(`wrote ${path.join(renderer, DESKTOP_PAGE)}\n`);
