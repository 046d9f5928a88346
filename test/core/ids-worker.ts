// Worker for ids.test.ts: makes ids in another thread (its own ulid factory), all at one timestamp.
import { parentPort, workerData } from 'node:worker_threads';
import { newRunId } from '../../shared/artifacts/ids.js';

const { count, at } = workerData as { count: number; at: number };
parentPort!.postMessage(Array.from({ length: count }, () => newRunId(at)));
