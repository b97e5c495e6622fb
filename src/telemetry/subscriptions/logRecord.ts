import { isJsonObject } from './jsonObject';

/**
 * A `function` or `extension` record: the output line as emitted (newline included), or, when the subscriber's
 * schema and the function's log format allow it, the JSON object the line holds (docs/lambda-behaviour.md#telemetry-api, last bullet).
 */
export function logRecord(line: string, objectsAllowed: boolean): unknown {
  if (!objectsAllowed || !line.trimStart().startsWith('{')) return line;
  try {
    const parsed: unknown = JSON.parse(line);
    return isJsonObject(parsed) ? parsed : line;
  } catch {
    return line;
  }
}
