import { parentPort, workerData } from 'node:worker_threads';
import { LatencyHistogram } from '../../src/metrics/histogram.js';

/** Records the latencies it is given in a worker thread and sends back the encoded histogram. */
const { latenciesUs } = workerData as { latenciesUs: number[] };
const histogram = LatencyHistogram.create();
for (const latency of latenciesUs) histogram.recordMicros(latency);
parentPort?.postMessage(histogram.encode());
