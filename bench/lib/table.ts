import type { Row } from './row';

/** Few significant digits: 0.412, 3.18, 41.7, 1234. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  return value.toFixed(3);
}

const HEADERS = ['benchmark', 'case', 'metric', 'n', 'p50', 'p99', 'reference', 'ref p50', 'ref p99', 'ratio', 'target'];

function cells(r: Row): string[] {
  const overhead = r.overhead === undefined ? '' : ` (+${fmt(r.overhead)})`;
  const target = r.target ? `${r.target.met ? 'ok' : 'MISSED'} ${r.target.text}` : '';
  return [
    r.benchmark,
    r.case,
    `${r.metric} [${r.unit}]`,
    String(r.ours.n),
    fmt(r.ours.p50),
    fmt(r.ours.p99),
    r.reference.label,
    fmt(r.reference.summary.p50),
    fmt(r.reference.summary.p99),
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}x${overhead}` : `n/a${overhead}`,
    target,
  ];
}

/** A plain-text table (also valid Markdown) of every row. */
export function renderTable(rows: Row[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((c) => c[i].length)));
  const line = (c: string[]): string => `| ${c.map((text, i) => text.padEnd(widths[i])).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(HEADERS), rule, ...body.map(line)].join('\n');
}
