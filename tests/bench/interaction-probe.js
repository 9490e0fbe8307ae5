// Watches the real app for part (g) of `npm run bench` (tests/bench/interactions.ts); injected
// with page.addInitScript before the app's scripts. Plain JavaScript: Playwright injects the file
// as it is. It only observes: the frames the page produces, the pointer moves of a drag, and
// the app's own user-timing marks ('vlm:image-answered', 'vlm:matrix-painted').
(() => {
  /** requestAnimationFrame times: one per frame the page produced. */
  const frames = [];
  const tick = (time) => {
    frames.push(time);
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

  const between = (list, from, to, at = (x) => x) => list.filter((x) => at(x) >= from && at(x) <= to);
  window.__vlmInteractions = {
    now: () => performance.now(),
    frames: (from, to) => between(frames, from, to),
    moves: (from, to) => between(moves, from, to),
    marks: (from, to) => between(marks, from, to, (m) => m.start),
  };
})();
