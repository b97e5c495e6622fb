/** The `{errorType, errorMessage}` JSON every Lambda API uses for errors, as a body. */
export function errorBody(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorMessage, errorType }));
}
