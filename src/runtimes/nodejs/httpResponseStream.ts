import type { ResponseStream } from './responseStream';

const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER = new Uint8Array(8);

/** The HTTP response of a function URL: status, headers and cookies sent before the body. */
export interface HttpPrelude {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
  [key: string]: unknown;
}

/**
 * `awslambda.HttpResponseStream.from(stream, prelude)`: switches the stream to the HTTP integration content type and
 * writes the JSON prelude and 8 NUL bytes before the first body byte (docs/lambda-behaviour.md#response-streaming).
 */
export class HttpResponseStream {
  static from(stream: ResponseStream, prelude: HttpPrelude): ResponseStream {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const text = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(text);
      write(PRELUDE_DELIMITER);
    };
    return stream;
  }
}
