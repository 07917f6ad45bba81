import { parentPort, workerData } from 'node:worker_threads';
import { type PacerShare, QuotaPacer } from '../../src/quotas/quota-pacer.js';

/**
 * Reserves `count` slots of `operation` from a run's shared quota schedules in a worker thread,
 * all at the same instant `nowUs`, and sends back the waits (ms).
 */
const { share, operation, count, nowUs } = workerData as {
  share: PacerShare;
  operation: string;
  count: number;
  nowUs: number;
};
const pacer = new QuotaPacer(share, () => nowUs);
parentPort?.postMessage(Array.from({ length: count }, () => pacer.reserve(operation)));
