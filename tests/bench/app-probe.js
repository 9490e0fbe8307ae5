// Instruments the real app (index.html) for `npm run bench`; injected by tests/bench/edits.ts
// with page.addInitScript, so it runs before the app's own scripts. Plain JavaScript on purpose:
// Playwright injects the file as it is (no TypeScript transform in between).
//
// It only observes: long tasks, the duration of the main-thread tasks it can delimit itself,
// and the app's own user-timing marks ('vlm:captions-changed', 'vlm:matrix-painted').
(() => {
  const longEntries = [];
  for (const type of ['longtask', 'long-animation-frame']) {
    if (!PerformanceObserver.supportedEntryTypes.includes(type)) continue;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        // For a long animation frame, name the script that ran longest in it, when known.
        const scripts = e.scripts ? [...e.scripts].sort((a, b) => b.duration - a.duration) : [];
        const top = scripts[0];
        const script = top ? `${top.invoker || top.invokerType} (${Math.round(top.duration)} ms)` : undefined;
        // For a long frame, how much of it was the rendering update (rAF callbacks, style, layout, paint).
        const render = e.renderStart ? e.startTime + e.duration - e.renderStart : undefined;
        longEntries.push({ type, start: e.startTime, duration: e.duration, script, render });
      }
    }).observe({ type, buffered: true });
  }

  /** Main-thread spans: { kind, detail, start, end }. */
  const spans = [];

  // A caption's input event: from a capturing listener on window (runs first) to a bubbling one
  // on window (runs last, after Svelte's delegated handler and the microtasks it queued: the
  // state update, the derived matrix and the redraw).
  let inputStart = 0;
  window.addEventListener('input', () => { inputStart = performance.now(); }, true);
  window.addEventListener('input', (event) => {
    const label = event.target && event.target.getAttribute ? event.target.getAttribute('aria-label') : '';
    spans.push({ kind: 'input', detail: label || '', start: inputStart, end: performance.now() });
  });

  // A worker's answer: the app's client sets `onmessage`; wrap it to note the task's start, and
  // add a listener after it, which runs once the handler and its microtasks (the lab's await
  // continuation, Svelte's update, the heatmap's draw) are done.
  // "result:text-embeds:rows=1:id=45": what the answer was, to count requests per edit.
  function describe(data) {
    if (!data) return '';
    const rows = data.result && data.result.embeds ? `rows=${data.result.embeds.dims[0]}` : '';
    return [data.type, data.result && data.result.kind, rows, `id=${data.id}`].filter(Boolean).join(':');
  }
  const NativeWorker = window.Worker;
  class TimedWorker extends NativeWorker {
    set onmessage(handler) {
      let start = 0;
      let type = '';
      super.onmessage = handler && ((event) => {
        start = performance.now();
        type = describe(event.data);
        return handler.call(this, event);
      });
      if (!this.timed) {
        this.timed = true;
        this.addEventListener('message', () => spans.push({ kind: 'message', detail: type, start, end: performance.now() }));
      }
    }
    get onmessage() {
      return super.onmessage;
    }
  }
  window.Worker = TimedWorker;

  /** Marks named `name` at or after `since`. */
  function marksSince(name, since) {
    return performance.getEntriesByName(name, 'mark').filter((m) => m.startTime >= since);
  }

  let armed = null;
  let pending = null;

  /**
   * Starts watching for one edit: call before editing, then await settle(). A requestAnimationFrame
   * loop notes each frame; a message posted from the frame callback arrives once that frame's
   * style, layout and paint are done, which is when the new matrix is on screen.
   */
  function arm(rows, columns) {
    const state = { rows, columns, since: performance.now(), frames: [], settled: null };
    const channel = new MessageChannel();
    state.done = new Promise((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`no ${rows}x${columns} matrix painted within 60 s`)), 60_000);
      channel.port1.onmessage = (event) => {
        state.frames.push({ raf: event.data, after: performance.now() });
        const result = check(state);
        if (result) {
          clearTimeout(timeout);
          armed = null;
          resolve(result);
        }
      };
    });
    const tick = () => {
      if (armed !== state) return;
      channel.port2.postMessage(performance.now());
      requestAnimationFrame(tick);
    };
    state.done.catch(() => undefined); // reported through settle()
    armed = state;
    pending = state.done;
    requestAnimationFrame(tick);
  }

  function check(state) {
    const changes = marksSince('vlm:captions-changed', state.since);
    if (changes.length === 0) return null;
    const changed = changes[0].startTime;
    const paints = marksSince('vlm:matrix-painted', changed);
    const painted = paints.find((m) => m.detail && m.detail.rows === state.rows && m.detail.columns === state.columns);
    if (!painted) return null;
    const frame = state.frames.find((f) => f.raf >= painted.startTime);
    if (!frame) return null;
    return {
      changed,
      painted: painted.startTime,
      presented: frame.after,
      changedMarks: changes.length,
      paints: paints.filter((m) => m.startTime <= painted.startTime).map((m) => `${m.detail && m.detail.rows}x${m.detail && m.detail.columns}`),
      spans: spans.filter((s) => s.end >= changed && s.start <= frame.after),
    };
  }

  window.__vlmBench = {
    arm,
    settle: () => pending ?? Promise.reject(new Error('not armed')),
    longEntries: () => longEntries,
    spansBetween: (start, end) => spans.filter((s) => s.start >= start && s.end <= end),
    now: () => performance.now(),
  };
})();
