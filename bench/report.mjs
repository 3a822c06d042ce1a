// Statistics and the printed table of `npm run bench`.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const max = (values) => Math.max(...values);

/** Formats a number with `digits` decimals, or a dash when there is none. */
export const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/**
 * One table row. `value` and `baseline` are numbers in `unit`; `ratio` is value / baseline;
 * `target` says what passes (`check(value, ratio)`), and rows without one are for information.
 */
export function row({ metric, value, unit, baseline, baselineLabel, target, check, digits = 1 }) {
  const ratio = baseline ? value / baseline : undefined;
  return {
    metric,
    value: Number(fixed(value, digits)),
    unit,
    baseline: baseline === undefined ? null : Number(fixed(baseline, digits)),
    baselineLabel: baselineLabel ?? null,
    ratio: ratio === undefined ? null : Number(ratio.toFixed(2)),
    target: target ?? null,
    pass: check ? check(value, ratio) : null,
  };
}

/** The rows as an aligned text table. */
export function formatTable(rows) {
  const header = ['metric', 'value', 'baseline', 'ratio', 'target', 'result'];
  const cells = rows.map((entry) => [
    entry.metric,
    `${entry.value} ${entry.unit}`,
    entry.baseline === null ? '—' : `${entry.baseline} ${entry.unit}${entry.baselineLabel ? ` (${entry.baselineLabel})` : ''}`,
    entry.ratio === null ? '—' : entry.ratio.toFixed(2),
    entry.target ?? '—',
    entry.pass === null ? '' : entry.pass ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
  const line = (values) => values.map((value, column) => value.padEnd(widths[column])).join(' | ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...cells.map(line)].join('\n');
}
