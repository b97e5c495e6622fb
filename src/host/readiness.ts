import * as http from 'node:http';

/** One GET of the readiness endpoint: its status code, or undefined when nothing answered properly. */
export function probeHealth(url: string, timeoutMs = 1000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

export class NotReadyError extends Error {
  constructor(message: string, readonly lastStatus: number | undefined) {
    super(message);
    this.name = 'NotReadyError';
  }
}

/**
 * Waits until `GET url` answers 200. Stops early, with the given error, when `gaveUp` settles first (e.g. the
 * container exited). Between attempts it waits 20 ms, growing to 250 ms: the published port accepts connections
 * before the init inside listens, so only an answer tells that it is up.
 */
export async function waitUntilHealthy(url: string, timeoutMs: number, gaveUp: Promise<Error>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stop: Error | undefined;
  void gaveUp.then((error) => { stop = error; });
  let delay = 20;
  let lastStatus: number | undefined;
  for (;;) {
    lastStatus = await probeHealth(url);
    if (stop !== undefined) throw stop;
    if (lastStatus === 200) return;
    if (Date.now() >= deadline) {
      throw new NotReadyError(`${url} did not answer 200 within ${timeoutMs} ms (last answer: ${lastStatus ?? 'none'})`, lastStatus);
    }
    await Promise.race([new Promise((resolve) => setTimeout(resolve, delay)), gaveUp]);
    if (stop !== undefined) throw stop;
    delay = Math.min(delay * 2, 250);
  }
}
