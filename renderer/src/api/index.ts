// Picks the transport: the preload bridge when the desktop app exposed one, else HTTP + SSE.
import { createBridgeClient, detectBridge } from './bridge.js';
import type { DjpClient } from './client.js';
import { createHttpClient } from './http.js';

export function createClient(): DjpClient {
  const bridge = detectBridge();
  return bridge ? createBridgeClient(bridge) : createHttpClient();
}

export type { DjpClient } from './client.js';
export { errorMessage } from './client.js';
