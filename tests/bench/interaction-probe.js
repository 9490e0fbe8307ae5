// Watches the real app for part (g) of `npm run bench` (tests/bench/interactions.ts); injected
// with page.addInitScript before the app's scripts. Plain JavaScript: Playwright injects the file
// as it is. It only observes: the frames the page produces, the pointer moves of a drag, and
// the app's own user-timing marks ('vlm:image-answered', 'vlm:matrix-painted'), when each frame's
// rendering was done, and when each
// run request went to a worker and its result came back (with the worker's own timing), so a
// drag's lag can be split into the page's share and the worker's.
(() => {
  /** requestAnimationFrame times: one per frame the page produced. */
  const frames = [];
  /**
   * Per frame: when its animation callbacks ran (page clock, not the frame's own timestamp,
   * which can be earlier than a task run just before it) and when the task after it began,
   * that is when the frame's rendering on the main thread (style, layout, paint, commit) was
   * done. Whatever was drawn before `at` is in that frame.
   */
  const rendered = [];
  const after = new MessageChannel();
  let pending = null;
  after.port1.onmessage = () => {
    if (pending) rendered.push({ at: pending, done: performance.now() });
    pending = null;
  };
  const tick = (time) => {
    frames.push(time);
    pending = performance.now();
    after.port2.postMessage(0);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);

  /** Pointer moves with a button held (a drag), by their event time (when the input happened). */
  const moves = [];
  window.addEventListener('pointermove', (event) => {
    if (event.buttons) moves.push(event.timeStamp);
  }, true);

  const marks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name.startsWith('vlm:')) marks.push({ name: e.name, start: e.startTime, detail: e.detail ?? null });
    }
  }).observe({ type: 'mark', buffered: true });

  /** Run requests posted to a worker and results received, by the page's clock. */
  const sent = [];
  const received = [];
  const NativeWorker = window.Worker;
  let workers = 0;
  window.Worker = class extends NativeWorker {
    constructor(...args) {
      super(...args);
      this.probeIndex = workers++;
      // Registered before the app's own handler, so `at` is when the message was dispatched.
      this.addEventListener('message', (event) => {
        const d = event.data;
        if (d && d.type === 'result') {
          received.push({ worker: this.probeIndex, id: d.id, at: performance.now(), kind: d.result?.kind, workerMs: d.timing?.totalMs ?? NaN, modelMs: d.timing?.modelMs ?? NaN });
        }
      });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 'run') sent.push({ worker: this.probeIndex, id: message.id, at: performance.now(), kind: message.task?.kind });
      return super.postMessage(message, ...rest);
    }
  };

  const between = (list, from, to, at = (x) => x) => list.filter((x) => at(x) >= from && at(x) <= to);
  window.__vlmInteractions = {
    now: () => performance.now(),
    frames: (from, to) => between(frames, from, to),
    rendered: (from, to) => between(rendered, from, to, (f) => f.at),
    moves: (from, to) => between(moves, from, to),
    marks: (from, to) => between(marks, from, to, (m) => m.start),
    sent: (from, to) => between(sent, from, to, (m) => m.at),
    received: (from, to) => between(received, from, to, (m) => m.at),
  };
})();
