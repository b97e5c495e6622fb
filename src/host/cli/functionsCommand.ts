/**
 * `lambda-sandbox functions`: a running serve's functions, one a line — name, runtime, state, last update,
 * published versions, reserved concurrency and environments warm/busy.
 */
export async function functionsCommand(endpoint: string): Promise<number> {
  const base = endpoint.replace(/\/+$/, '');
  const [list, environments] = await Promise.all([
    getJson(`${base}/2015-03-31/functions?MaxItems=10000`) as Promise<{ Functions: FunctionView[] }>,
    getJson(`${base}/lambda-sandbox/environments`) as Promise<Record<string, { warm: number; busy: number; versions: string[]; reserved?: number }>>,
  ]);
  const rows = [['NAME', 'RUNTIME', 'STATE', 'LAST UPDATE', 'VERSIONS', 'RESERVED', 'WARM', 'BUSY']];
  for (const fn of list.Functions) {
    const counts = environments[fn.FunctionName] ?? { warm: 0, busy: 0, versions: [] };
    rows.push([
      fn.FunctionName, fn.Runtime, fn.State, fn.LastUpdateStatus, counts.versions.join(',') || '-',
      counts.reserved !== undefined ? String(counts.reserved) : '-', String(counts.warm), String(counts.busy),
    ]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()}\n`);
  return 0;
}

interface FunctionView {
  FunctionName: string;
  Runtime: string;
  State: string;
  LastUpdateStatus: string;
}

async function getJson(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`no lambda-sandbox serve answers at ${new URL(url).origin}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}
