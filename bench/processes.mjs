// Linux /proc readings of Chromium's processes: which renderer runs a tab, CPU time, memory.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const MS_PER_TICK = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

const read = (pid, file) => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null; // The process is gone.
  }
};

/** Fields of /proc/PID/stat after the command name: [state, ppid, …, utime (index 11), stime (12)]. */
const statFields = (pid) => read(pid, 'stat')?.replace(/^.*\) /s, '').split(' ') ?? null;

/** Every live process below `rootPid`. */
function descendants(rootPid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    const fields = /^\d+$/.test(name) ? statFields(name) : null;
    if (!fields) continue;
    const parent = Number(fields[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const found = [];
  for (let queue = [rootPid]; queue.length > 0; ) {
    const kids = children.get(queue.shift()) ?? [];
    found.push(...kids);
    queue.push(...kids);
  }
  return found;
}

/** The renderer processes of the browser whose main process is `browserPid`. */
function renderers(browserPid) {
  // Chromium rewrites its process title, so the arguments are not always NUL-separated.
  return descendants(browserPid).filter((pid) => /(^|[\s\0])--type=renderer(?=[\s\0])/.test(read(pid, 'cmdline') ?? ''));
}

/** CPU time (user + system) of `pid`, in clock ticks. */
function cpuTicks(pid) {
  const fields = statFields(pid);
  return fields ? Number(fields[11]) + Number(fields[12]) : 0;
}

/**
 * CPU time used so far by the main thread of process `pid`, in ms: in a renderer, the thread that
 * runs its pages' script, style, layout and paint. From the scheduler's own account, in
 * nanoseconds, where /proc/PID/stat counts 10 ms ticks.
 */
export function mainThreadCpuMs(pid) {
  const schedstat = read(`${pid}/task/${pid}`, 'schedstat');
  if (!schedstat) throw new Error(`process ${pid} is gone`);
  return Number(schedstat.split(' ')[0]) / 1e6;
}

/** CPU time (user + system) used so far by the browser and each of its descendants: ms by pid. */
export function cpuTimes(browserPid) {
  return new Map([browserPid, ...descendants(browserPid)].map((pid) => [pid, cpuTicks(pid) * MS_PER_TICK]));
}

/**
 * CPU time used so far by each thread of the browser and its descendants, in ms, keyed by pid
 * and thread name (numbered threads of a pool summed under one name: `ThreadPoolForeg#`).
 * Threads that exited (a storage worker's, once its file is written) count together under
 * `(exited threads)`: their process's total less its live threads'.
 */
export function threadTimes(browserPid) {
  const times = new Map();
  for (const pid of [browserPid, ...descendants(browserPid)]) {
    let threads = [];
    try {
      threads = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // The process is gone.
    }
    let live = 0;
    for (const tid of threads) {
      const stat = read(`${pid}/task/${tid}`, 'stat');
      if (!stat) continue;
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '#');
      const fields = stat.replace(/^.*\) /s, '').split(' ');
      const key = `${pid} ${name}`;
      const ms = (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
      live += ms;
      times.set(key, (times.get(key) ?? 0) + ms);
    }
    times.set(`${pid} (exited threads)`, cpuTicks(pid) * MS_PER_TICK - live);
  }
  return times;
}

/**
 * The pid of the renderer that runs `page`. Chromium may reuse processes or keep a spare one,
 * so rather than diffing process lists, the tab keeps its renderer busy for a moment and the
 * renderer whose CPU time grew clearly the most is the one.
 */
export async function rendererOf(page, browserPid) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = new Map(renderers(browserPid).map((pid) => [pid, cpuTicks(pid)]));
    await page.evaluate(() => window.bench.burn(500));
    const [first, second] = [...before].map(([pid, ticks]) => ({ pid, ticks: cpuTicks(pid) - ticks })).sort((a, b) => b.ticks - a.ticks);
    // The other renderers are nearly idle, but on a loaded machine the busy one may get little CPU.
    if (first && first.ticks >= 5 && first.ticks >= 3 * (second?.ticks ?? 0)) return first.pid;
  }
  throw new Error('could not tell which renderer runs the tab');
}

/** Resident memory of `pid` in bytes: now (VmRSS) and its peak (VmHWM). */
export function memory(pid) {
  const status = read(pid, 'status') ?? '';
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Resets the peak (VmHWM) of `pid` to its current RSS (Linux ≥ 4.0); false when not allowed. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
