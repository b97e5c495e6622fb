import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../../errorBody';
import type { ErrorReport, RuntimePort } from '../../lifecycle/ports';
import { accepted, answerRefusal, refuseBody } from './answers';
import { readErrorReport } from './errorReport';

/** `POST /runtime/init/error`: the runtime could not initialise; the report goes to the caller of the first invoke. */
export function initErrorRoute(runtime: RuntimePort) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      runtime.admitInitError();
    } catch (error) {
      return answerRefusal(res, error);
    }
    let report: ErrorReport;
    try {
      report = await readErrorReport(req);
    } catch (error) {
      report = { errorType: 'Runtime.Unknown', body: errorBody('Runtime.Unknown', 'The init error report was truncated') };
      refuseBody(res, error);
    }
    try {
      runtime.reportInitError(report);
      if (!res.headersSent) accepted(res);
    } catch (error) {
      if (!res.headersSent) answerRefusal(res, error);
    }
  };
}
