import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HANDLER_HIGH_WATER_MARK, HANDLER_STREAMING, STREAM_RESPONSE } from './awslambdaGlobal';
import { HandlerNotFound, ImportModuleError, MalformedHandlerName, MalformedStreamingHandler, UserCodeSyntaxError } from './errors';

/** Whatever the user exported; called as (event, context, callback) or, when streaming, (event, stream, context). */
export type UserHandler = ((...args: unknown[]) => unknown) & { [HANDLER_STREAMING]?: unknown; [HANDLER_HIGH_WATER_MARK]?: unknown };

export interface HandlerMetadata {
  streaming: boolean;
  highWaterMark: number | undefined;
  /** Declared `async`: a promise that never settles is an error, not an empty success. */
  isAsync: boolean;
  /** `handler.length`: three or more declares the callback parameter of the callback model. */
  parameterCount: number;
}

/** `dir/sub/file.a.b` → module root `dir/sub/`, module `file`, export path `a.b`. */
export function splitHandler(handler: string): { moduleRoot: string; moduleName: string; exportPath: string } {
  if (handler.includes('..')) {
    throw new MalformedHandlerName(
      `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const base = path.basename(handler);
  const moduleRoot = handler.substring(0, handler.indexOf(base));
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (!match) throw new MalformedHandlerName('Bad handler');
  return { moduleRoot, moduleName: match[1], exportPath: match[2] };
}

/** The nearest package.json up from `dir` says "type": "module" (a node_modules folder ends the search). */
function inTypeModulePackage(dir: string): boolean {
  for (let folder = dir; ; folder = path.dirname(folder)) {
    if (folder.endsWith(`${path.sep}node_modules`)) return false;
    const manifest = path.join(folder, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { type?: unknown } | null)?.type === 'module';
      } catch (error) {
        console.warn(`${manifest} cannot be read, it will be ignored for ES module detection purposes.`, error);
        return false;
      }
    }
    if (folder === path.dirname(folder)) return false;
  }
}

function requireIfExists(file: string): unknown {
  return fs.existsSync(file) ? require(file) : undefined;
}

async function importIfExists(file: string): Promise<unknown> {
  return fs.existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}

/**
 * Lambda's lookup order: the exact file (CommonJS), `.js` (CommonJS unless the package is "type": "module"),
 * `.mjs`, `.cjs`, then Node's own resolution from the task root (node_modules, NODE_PATH).
 */
async function loadModule(taskRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const exact = requireIfExists(base);
  if (exact) return exact;
  const esm = inTypeModulePackage(path.dirname(base));
  if (!esm) {
    const commonJs = requireIfExists(`${base}.js`);
    if (commonJs) return commonJs;
  }
  const found =
    (esm && (await importIfExists(`${base}.js`))) ||
    (await importIfExists(`${base}.mjs`)) ||
    requireIfExists(`${base}.cjs`);
  if (found) return found;
  return require(require.resolve(moduleName, { paths: [taskRoot, path.join(taskRoot, moduleRoot)] }));
}

function findExport(exportPath: string, container: unknown): unknown {
  return exportPath.split('.').reduce<unknown>(
    (value, key) => (value !== null && (typeof value === 'object' || typeof value === 'function') ? (value as Record<string, unknown>)[key] : undefined),
    container,
  );
}

/** Loads `_HANDLER` from the task root; every failure is one of Lambda's Runtime.* errors or the user's own error. */
export async function loadHandler(taskRoot: string, handler: string): Promise<UserHandler> {
  const { moduleRoot, moduleName, exportPath } = splitHandler(handler);
  let loaded: unknown;
  try {
    loaded = await loadModule(taskRoot, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UserCodeSyntaxError(error);
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new ImportModuleError(error);
    throw error;
  }
  let found = findExport(exportPath, loaded);
  // An ES module whose handler sits on its default export (`export default { handler }`).
  if (!found && loaded !== null && typeof loaded === 'object' && 'default' in loaded) {
    found = findExport(exportPath, (loaded as { default: unknown }).default);
  }
  if (!found) throw new HandlerNotFound(`${handler} is undefined or not exported`);
  if (typeof found !== 'function') throw new HandlerNotFound(`${handler} is not a function`);
  return found as UserHandler;
}

export function handlerMetadata(handler: UserHandler): HandlerMetadata {
  const mark = handler[HANDLER_STREAMING];
  if (mark !== undefined && mark !== null && mark !== false && mark !== STREAM_RESPONSE) {
    throw new MalformedStreamingHandler('Only response streaming is supported.');
  }
  const highWaterMark = Number.parseInt(String(handler[HANDLER_HIGH_WATER_MARK]), 10);
  return {
    streaming: mark === STREAM_RESPONSE,
    highWaterMark: Number.isNaN(highWaterMark) ? undefined : highWaterMark,
    isAsync: handler.constructor?.name === 'AsyncFunction',
    parameterCount: handler.length,
  };
}
