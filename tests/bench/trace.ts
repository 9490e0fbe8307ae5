/**
 * Main-thread tasks from a Chromium trace (CDP tracing through playwright-core): every task the
 * page's renderer main thread ran while an action took place, the longest named by what filled
 * it. The Long Tasks API reports only tasks over 50 ms; the goal here is 16 ms, one frame.
 */
import type { Browser, Page } from 'playwright-core';

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  /** Thread time (CPU), µs: on a loaded machine `dur` also holds the time the thread waited for a core. */
  readonly tdur?: number;
  readonly args?: { readonly name?: string; readonly data?: Record<string, unknown> };
}

export interface TaskReport {
  /** Main-thread tasks in the window. */
  readonly tasks: number;
  readonly over16: number;
  readonly over50: number;
  /** The longest task, ms, and the event that filled most of it. */
  readonly longestMs: number;
  readonly longestWhat: string;
  /** The same by the thread's CPU time, which a busy machine does not stretch. */
  readonly longestCpuMs: number;
  readonly over16Cpu: number;
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'blink.user_timing'];
const TASK_NAMES = ['RunTask', 'ThreadControllerImpl::RunTask'];

/** What an event inside a task was: "EventDispatch pointermove", "FunctionCall onmessage", "Paint". */
function describe(event: TraceEvent): string {
  const data = event.args?.data ?? {};
  const detail = data.type ?? data.functionName ?? (typeof data.url === 'string' ? data.url.split('/').pop() : undefined);
  return detail ? `${event.name} ${String(detail)}` : event.name;
}

/** Main-thread tasks of the page while `action` runs. */
export async function traceTasks(browser: Browser, page: Page, action: () => Promise<void>): Promise<TaskReport> {
  await browser.startTracing(page, { categories: CATEGORIES });
  let buffer: Buffer | undefined;
  try {
    await action();
  } finally {
    buffer = await browser.stopTracing();
  }
  const events = (JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const onMain = events.filter((e) => e.ph === 'X' && e.dur !== undefined && mains.has(`${e.pid}:${e.tid}`));
  const name = TASK_NAMES.find((n) => onMain.some((e) => e.name === n));
  const tasks = onMain.filter((e) => e.name === name);
  if (tasks.length === 0) throw new Error('the trace holds no main-thread tasks');
  const longest = tasks.reduce((a, b) => (b.dur! > a.dur! ? b : a));
  const inside = onMain.filter((e) => e !== longest && !TASK_NAMES.includes(e.name) && e.pid === longest.pid && e.tid === longest.tid
    && e.ts >= longest.ts && e.ts + e.dur! <= longest.ts + longest.dur!);
  const biggest = inside.reduce<TraceEvent | null>((a, b) => (a === null || b.dur! > a.dur! ? b : a), null);
  const ms = (e: TraceEvent) => e.dur! / 1000;
  const cpu = (e: TraceEvent) => (e.tdur ?? e.dur!) / 1000;
  return {
    tasks: tasks.length,
    over16: tasks.filter((t) => ms(t) > 16).length,
    over50: tasks.filter((t) => ms(t) > 50).length,
    longestMs: ms(longest),
    longestWhat: biggest ? `${describe(biggest)} (${ms(biggest).toFixed(1)} ms)` : 'no event recorded inside it',
    longestCpuMs: Math.max(...tasks.map(cpu)),
    over16Cpu: tasks.filter((t) => cpu(t) > 16).length,
  };
}
