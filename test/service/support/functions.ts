import { buildZip } from '../../helpers/zipFiles';

/**
 * The test functions, as Lambda zips. One handler file serves every case: what it does comes from the event
 * and from its environment, so code and configuration changes are visible in its answer.
 */
const HANDLER = `
const label = ${'${LABEL}'};
exports.handler = async (event) => {
  if (event.log) console.log(event.log);
  if (event.fail) throw new Error('failing on purpose: ' + event.fail);
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  let layer;
  try { layer = require('greeting').greeting; } catch { layer = null; }
  return {
    label, layer,
    greeting: process.env.GREETING ?? null,
    version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    environment: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
};
`;

/** The handler's zip; `label` shows which code answered. */
export function functionZip(label: string): Promise<Buffer> {
  return buildZip([{ name: 'index.js', data: HANDLER.replace('${LABEL}', JSON.stringify(label)) }]);
}

/** A layer with a Node.js module `greeting` (found through /opt/nodejs/node_modules). */
export function greetingLayerZip(text: string): Promise<Buffer> {
  return buildZip([{ name: 'nodejs/node_modules/greeting/index.js', data: `exports.greeting = ${JSON.stringify(text)};\n` }]);
}
