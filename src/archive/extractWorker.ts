import { parentPort, workerData } from 'node:worker_threads';
import { type BatchEntry, extractBatch } from './batchExtract';
import { SyncWindowReader } from './syncWindowReader';

/** A worker thread that extracts batches of small files (see batchExtract). */
export interface BatchMessage {
  /** The zip's descriptor: descriptors are shared by all threads of the process. */
  fd: number;
  size: number;
  entries: BatchEntry[];
}

const { umask } = workerData as { umask: number };
let reader: SyncWindowReader | undefined;

parentPort?.on('message', (message: BatchMessage) => {
  if (reader === undefined || reader.fd !== message.fd) reader = new SyncWindowReader(message.fd, message.size);
  parentPort?.postMessage(extractBatch(reader, message.entries, umask));
});
