// Part (m)'s measurement inside the page, for tests/bench/probes.ts. Plain JavaScript on purpose:
// Playwright injects the file as it is (no TypeScript transform in between).
//
// window.__probeMeasure(): 2 s of idle frames, then clicks "Run the probes", records every
// frame and every long task (over 50 ms, the browser's own threshold) and long animation frame
// until the run is done, and returns the page's 'vlm:probe-suite' marks with them.
window.__probeMeasure = async () => {
  const stamps = (ms) => new Promise((resolve) => {
    const out = [];
    const until = performance.now() + ms;
    const tick = (t) => {
      out.push(t);
      if (t < until) requestAnimationFrame(tick);
      else resolve(out);
    };
    requestAnimationFrame(tick);
  });
  const idle = await stamps(2000);
  performance.clearMarks('vlm:probe-suite');
  const tasks = [];
  const observers = ['longtask', 'long-animation-frame'].filter((type) => PerformanceObserver.supportedEntryTypes.includes(type)).map((type) => {
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push({ type, start: e.startTime, duration: e.duration, blocking: e.blockingDuration ?? null });
    });
    observer.observe({ type });
    return observer;
  });
  const status = document.querySelector('[data-testid="probe-status"]');
  const frames = [];
  let on = true;
  const tick = (t) => {
    frames.push(t);
    if (on) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  [...document.querySelectorAll('button')].find((b) => b.textContent === 'Run the probes').click();
  await new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const s = status.dataset.status;
      if (s !== 'done' && s !== 'error') return;
      clearInterval(poll);
      if (s === 'error') reject(new Error(status.textContent || 'error'));
      else resolve();
    }, 50);
  });
  on = false;
  for (const observer of observers) {
    for (const e of observer.takeRecords()) tasks.push({ type: e.entryType, start: e.startTime, duration: e.duration, blocking: e.blockingDuration ?? null });
    observer.disconnect();
  }
  const suites = performance.getEntriesByName('vlm:probe-suite').map((m) => ({ ...m.detail, end: m.startTime }));
  return { suites, idle, frames, tasks };
};
