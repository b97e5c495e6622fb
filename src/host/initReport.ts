/**
 * Reading a failed Init from a container's log. Lambda logs a failed or timed-out Init phase as an `INIT_REPORT`
 * line (`Status: error` / `timeout`, `Error Type: ...`), or with the JSON log format a `platform.initReport`
 * record with that status (AWS: "Telemetry API events", platform.initReport:
 * https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html). The runtime's own error line
 * (type and message) comes before it.
 */
export interface InitFailure {
  status: 'error' | 'timeout' | string;
  /** e.g. Runtime.ImportModuleError; absent for a timeout. */
  errorType?: string;
  /** The runtime's error line (its message when the line carries `errorMessage`), when the log has one. */
  detail?: string;
}

/** The init's own diagnostics start with this (src/logger.ts). */
const INIT_DIAGNOSTIC = '[lambda-sandbox]';
const TEXT_REPORT = /^INIT_REPORT .*\bStatus: (\S+)(?:\tError Type: (\S+))?/;

/** Every failed Init in the log lines, in order. */
export function initFailures(lines: readonly string[]): InitFailure[] {
  const failures: InitFailure[] = [];
  lines.forEach((line, index) => {
    const report = parseReport(line);
    if (report === undefined || report.status === 'success') return;
    const detail = report.errorType === undefined ? undefined : errorLineBefore(lines, index, report.errorType);
    failures.push({ ...report, ...(detail !== undefined ? { detail } : {}) });
  });
  return failures;
}

/** One sentence for a person: `Init failed (Runtime.ImportModuleError): Cannot find module 'index'`. */
export function describeInitFailure(failure: InitFailure): string {
  const what = failure.status === 'timeout' ? 'Init timed out' : 'Init failed';
  const type = failure.errorType !== undefined ? ` (${failure.errorType})` : '';
  return `${what}${type}${failure.detail !== undefined ? `: ${failure.detail}` : ''}`;
}

function parseReport(line: string): { status: string; errorType?: string } | undefined {
  const text = TEXT_REPORT.exec(line);
  if (text) return { status: text[1], ...(text[2] !== undefined ? { errorType: text[2] } : {}) };
  if (!line.startsWith('{') || !line.includes('platform.initReport')) return undefined;
  try {
    const event = JSON.parse(line) as { type?: string; record?: { status?: string; errorType?: string } };
    if (event.type !== 'platform.initReport' || typeof event.record?.status !== 'string') return undefined;
    return { status: event.record.status, ...(event.record.errorType ? { errorType: event.record.errorType } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Why Init failed, from the lines before the report: Lambda's two lines (`Error: <message>`, then the error type
 * alone) for a failure the platform found; else the runtime's last line naming the error type (its errorMessage if
 * it carries JSON); else the init's own diagnostic (`[lambda-sandbox] ... <type>: <message>`).
 */
function errorLineBefore(lines: readonly string[], reportIndex: number, errorType: string): string | undefined {
  let diagnostic: string | undefined;
  for (let i = reportIndex - 1; i >= 0 && !TEXT_REPORT.test(lines[i]); i--) {
    const line = lines[i];
    if (!line.includes(errorType) || line.includes('platform.initReport')) continue;
    if (line.trim() === errorType && lines[i - 1]?.startsWith('Error: ')) return lines[i - 1].slice('Error: '.length);
    if (!line.startsWith(INIT_DIAGNOSTIC)) return errorMessageIn(line) ?? line.trim();
    const after = line.indexOf(`${errorType}: `);
    diagnostic ??= after === -1 ? line.slice(INIT_DIAGNOSTIC.length).trim() : line.slice(after + errorType.length + 2);
  }
  return diagnostic;
}

function errorMessageIn(line: string): string | undefined {
  const start = line.indexOf('{');
  if (start === -1) return undefined;
  try {
    const parsed = JSON.parse(line.slice(start)) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage.split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}
