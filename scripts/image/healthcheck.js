// HEALTHCHECK of the lambda-sandbox image: healthy when the init's readiness endpoint answers 200.
// Plain JavaScript with no dependencies because it runs in the image as `node healthcheck.js` (no curl there).
'use strict';
const port = process.env.LAMBDA_SANDBOX_INVOKE_PORT || '8080';
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })
  .then((response) => process.exit(response.status === 200 ? 0 : 1))
  .catch(() => process.exit(1));
