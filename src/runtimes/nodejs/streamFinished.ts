import type { ResponseStream } from './responseStream';

/** Resolves when the stream's data is all handed to the connection; rejects when it broke on the way. */
export function finished(stream: ResponseStream): Promise<void> {
  if (stream.writableFinished) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('close', () => (stream.writableFinished ? resolve() : reject(new Error('The response stream closed before it finished.'))));
  });
}
