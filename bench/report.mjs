// Statistics and the printed table of `npm run bench`.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const max = (values) => Math.max(...values);

/** Formats a number with `digits` decimals, or a dash when there is none. */
export const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/** Numbers in [0, 1) from a fixed seed (mulberry32): the same samples always give the same interval. */
function seeded(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let mixed = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}

const RESAMPLES = 2000;

/**
 * A 95 % bootstrap interval of `statistic(...groups)`: the statistic over RESAMPLES resamples
 * of the groups, each drawn with replacement, and its 2.5th and 97.5th percentiles. `paired`:
 * the groups' samples were taken side by side (the i-th of each together), so one draw of
 * indices serves all of them.
 */
export function interval(statistic, groups, { paired = false } = {}) {
  const random = seeded(1);
  const draw = (length) => Array.from({ length }, () => Math.floor(random() * length));
  const values = [];
  for (let resample = 0; resample < RESAMPLES; resample++) {
    const shared = paired ? draw(groups[0].length) : null;
    values.push(statistic(...groups.map((group) => (shared ?? draw(group.length)).map((index) => group[index]))));
  }
  values.sort((a, b) => a - b);
  return [values[Math.floor(RESAMPLES * 0.025)], values[Math.ceil(RESAMPLES * 0.975) - 1]];
}

/**
 * One table row. `value` and `baseline` are numbers in `unit`; `ratio` is value / baseline;
 * `target` says what passes (`check(value, ratio)`), and rows without one are for information.
 * `interval`: the 95 % interval (`bounds`) of what the target reads (`of`: 'ratio' or 'value');
 * `settled` is false when the target passes at one end of it and fails at the other.
 */
export function row({ metric, value, unit, baseline, baselineLabel, target, check, interval, digits = 1 }) {
  const ratio = baseline ? value / baseline : undefined;
  const verdictAt = (bound) => (interval.of === 'ratio' ? check(value, bound) : check(bound, ratio));
  return {
    metric,
    value: Number(fixed(value, digits)),
    unit,
    baseline: baseline === undefined ? null : Number(fixed(baseline, digits)),
    baselineLabel: baselineLabel ?? null,
    ratio: ratio === undefined ? null : Number(ratio.toFixed(2)),
    target: target ?? null,
    pass: check ? check(value, ratio) : null,
    interval: interval ? { of: interval.of, bounds: interval.bounds.map((bound) => Number(fixed(bound, interval.of === 'ratio' ? 2 : digits))) } : null,
    settled: interval ? verdictAt(interval.bounds[0]) === verdictAt(interval.bounds[1]) : null,
  };
}

const HEADER = ['metric', 'value', 'baseline', 'ratio', 'target', 'result', '95 % interval'];

/** Each row's cells, in HEADER's order. */
function cellsOf(entry) {
  const { interval } = entry;
  return [
    entry.metric,
    `${entry.value} ${entry.unit}`,
    entry.baseline === null ? '' : `${entry.baseline} ${entry.unit}${entry.baselineLabel ? ` (${entry.baselineLabel})` : ''}`,
    entry.ratio === null ? '' : entry.ratio.toFixed(2),
    entry.target ?? '',
    entry.pass === null ? '' : entry.pass ? 'pass' : 'FAIL',
    interval ? `${interval.of === 'ratio' ? 'ratio ' : ''}${interval.bounds.join('–')}${interval.of === 'value' ? ` ${entry.unit}` : ''}` : '',
  ];
}

/** The rows as an aligned text table. */
export function formatTable(rows) {
  const cells = rows.map(cellsOf);
  const widths = HEADER.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
  const line = (values) => values.map((value, column) => value.padEnd(widths[column])).join(' | ').trimEnd();
  return [line(HEADER), widths.map((width) => '-'.repeat(width)).join('-|-'), ...cells.map(line)].join('\n');
}

/** The rows as a Markdown table (the README's): code in backticks, a FAIL in bold. */
export function formatMarkdown(rows) {
  const code = (text) => text.replace(/<peer-chat>|sendFile|connect\(\)|conn\.send\([^)]*\)|peer-chat-file|dist\/peer-chat\.js/g, (name) => `\`${name}\``);
  const line = (values) => `| ${values.join(' | ')} |`;
  return [
    line(HEADER),
    line(HEADER.map(() => '---')),
    ...rows.map((entry) => {
      const cells = cellsOf(entry);
      cells[0] = code(cells[0]);
      if (entry.pass === false) cells[5] = '**FAIL**';
      return line(cells.map((cell) => cell.replaceAll('|', '\\|')));
    }),
  ].join('\n');
}
