import type { IncomingMessage } from 'node:http';
import { errorBody } from '../../errorBody';
import type { ErrorReport } from '../../lifecycle/ports';
import { header, readBody } from '../http';
import { MAX_RESPONSE_BYTES } from '../payloadLimits';

/** Reads an /error or /init/error report: the type header and the body, which is forwarded as Lambda does. */
export async function readErrorReport(req: IncomingMessage): Promise<ErrorReport> {
  const headerType = header(req, 'lambda-runtime-function-error-type');
  const raw = await readBody(req, MAX_RESPONSE_BYTES);
  let parsed: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(raw.toString());
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const errorType = headerType ?? (typeof parsed?.errorType === 'string' ? parsed.errorType : 'Runtime.Unknown');
  if (!parsed) return { errorType, body: errorBody(errorType, raw.length > 0 ? raw.toString() : errorType) };
  if ('errorCause' in parsed && /error\.cause\+json/.test(header(req, 'content-type') ?? '')) {
    delete parsed.errorCause;
    return { errorType, body: Buffer.from(JSON.stringify(parsed)) };
  }
  return { errorType, body: raw };
}
