/** The readable summary `npm run bench` prints (the full figures are in bench-results.json). */
import type { Results, Stat, Value } from './report';

const ms = (s: Stat) => `${s.median.toFixed(2)} / ${s.p90.toFixed(2)}`;
const v = (x: Value) => (typeof x.value === 'number' ? `${x.value}${x.unit === '×' ? '×' : ` ${x.unit}`}` : x.value);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatResults(r: Results): string {
  const out: string[] = [];
  const m = r.machine as Record<string, unknown>;
  out.push(`VLM Playground benchmark · ${r.date}`);
  out.push(`${m.cpuModel} × ${m.cpuCount} · load ${m.loadAverageAtStart} → ${m.loadAverageAtEnd} · Chromium ${m.chromium} · ORT web ${r.conditions.onnxruntimeWeb}`);
  const during = m.loadAverage1MinDuringRun as { n: number; min: number; median: number; max: number } | null;
  const parts = Object.entries(m.loadAverageBeforeEachPart as Record<string, string>).map(([k, l]) => `${k} ${l}`).join(' · ');
  out.push(`load average before each part: ${parts}${during ? ` · 1-min load during the run (every 10 s, ${during.n}×): min ${during.min.toFixed(2)}, median ${during.median.toFixed(2)}, max ${during.max.toFixed(2)}` : ''}`);
  out.push(`bundled models: ${r.conditions.bundledModels.map((x) => `${x.name} (${x.modelType})`).join(', ')}`);
  out.push(`device ${r.conditions.device} · crossOriginIsolated ${r.conditions.crossOriginIsolated} · ORT threads: direct ${r.conditions.ortThreads.direct}, worker ${r.conditions.ortThreads.worker} · same-inputs check ${v(r.conditions.sameInputsCheck)}`);
  out.push('');
  out.push('(a) Worker pipeline vs onnxruntime-web direct, ms as median / p90 (interleaved)');
  out.push(table(
    ['batch', 'round trip', 'modelMs', 'totalMs', 'direct run', 'echo', 'RT/direct', 'paired', 'model/direct', 'goal ≤1.10'],
    r.a_pipelineVsDirectOrt.map((s) => [
      `${s.name} (${s.reps}×)`, ms(s.worker.roundTrip), ms(s.worker.model), ms(s.worker.total), ms(s.direct.run), ms(s.echo.roundTrip),
      v(s.ratios.roundTripOverDirect), v(s.ratios.pairedRoundTripOverDirect), v(s.ratios.modelOverDirect), s.ratios.goalMet ? 'met' : 'NOT met',
    ]),
  ));
  out.push('  round trip = preprocessing + model + hand-off; medians per call:');
  for (const s of r.a_pipelineVsDirectOrt) {
    out.push(`  ${s.name}: preprocessing ${s.worker.preprocessing.median} ms, model ${s.worker.model.median} ms, hand-off ${s.worker.handoff.median} ms (echo floor ${s.echo.roundTrip.median} ms)`);
  }
  out.push('');
  out.push('(b) Caption edited → matrix painted, real app on WASM, ms');
  out.push(table(
    ['matrix', 'edits', 'to painted med', 'p90', 'to presented med', 'p90', 'paint→presented med', 'text requests/edit'],
    r.b_editToMatrix.map((e) => [e.size, String(e.edits), e.changedToPainted.median.toFixed(1), e.changedToPainted.p90.toFixed(1),
      e.changedToPresented.median.toFixed(1), e.changedToPresented.p90.toFixed(1), e.paintedToPresented.median.toFixed(1), v(e.textRequestsPerEdit)]),
  ));
  for (const e of r.b_editToMatrix) out.push(`  setting up ${e.size}, the worker computed ${e.setupWork.value}`);
  out.push('');
  out.push(`(c) Longest main-thread task (goal ${r.c_longestMainThreadTask.goal})`);
  const bp = r.c_longestMainThreadTask.benchPage;
  out.push(`  bench page, during worker calls: ${v(bp.duringWorkerCalls)} (own spans: send max ${v(bp.longestSendSpan)}, answer max ${v(bp.longestReceiveSpan)}) → ${bp.goalMet ? 'met' : 'NOT met'}`);
  out.push(`  bench page, during direct ORT calls (main-thread ORT, for contrast): ${v(bp.duringDirectCalls)}`);
  for (const a of r.c_longestMainThreadTask.app) {
    out.push(`  app ${a.size}, during edits: long task ${v(a.longestTaskDuringEdits)}; long frame ${v(a.longestFrameDuringEdits)} → ${a.goalMet ? 'met' : 'NOT met'}`);
    out.push(`    own spans (median / max): input task ${a.inputTask.median} / ${a.inputTask.max} ms, answer task ${a.answerTask.median} / ${a.answerTask.max} ms; whole run long task ${v(a.longestTaskWholeRun)}`);
  }
  out.push('');
  const d = r.d_modelLoadFromCache;
  out.push(`(d) Model load in a fresh worker, WASM fp32, ms as median / p90 over ${d.rounds} rounds (variants rotated; hub-cache misses: ${v(d.hubCacheMisses)})`);
  out.push(table(
    ['model', 'files from', 'loadMs', 'round trip', 'worker start', 'requests', 'config / tokenizer, processor, towers and ORT / warm-up'],
    d.models.flatMap((x) => ([
      ['hub path, browser cache', x.hubCache],
      ['bundled, browser cache', x.bundledCache],
      ['bundled, app server', x.bundledServer],
    ] as const).map(([label, y]) => [x.model, label, ms(y.loadMs), ms(y.roundTrip), ms(y.workerStart), String(y.modelFileRequests.value),
      [y.phases.config, y.phases.encoders, y.phases.warmUpAndAnswer].map((n) => Math.round(n)).join(' / ')])),
  ));
  for (const x of d.models) {
    const f = x.first.hubDownload;
    const b = x.first.bundled;
    out.push(`  ${x.model}: hub cache / bundled server ${v(x.ratios.hubCacheOverBundledServer)}, hub cache / bundled cache ${v(x.ratios.hubCacheOverBundledCache)} (paired ${v(x.ratios.pairedHubCacheOverBundledCache)}), bundled cache / server ${v(x.ratios.bundledCacheOverBundledServer)}`);
    if (f && b) out.push(`  ${x.model}, first loads of the run (one each): hub download ${v(f.loadMs)} (${v(f.filesFetched)} from the mirror), bundled fetch ${v(b.loadMs)}`);
  }
  out.push('');
  const e = r.e_perItemPipelineVsDirectOrt;
  out.push(`(e) Per item, worker pipeline vs onnxruntime-web direct (same feeds), ms per image / caption as medians (${e.reps} rounds, one call per side each, interleaved)`);
  const threads = e.models[0]?.threads;
  out.push(`    app = the worker as the app runs it (${threads?.worker ?? '?'} threads) · 1t = the same pipeline loaded with threads: 1 · direct = the page's ORT session (${threads?.direct ?? '?'} thread)`);
  const num = (x: Value | null | undefined) => (x && typeof x.value === 'number' ? String(x.value) : '—');
  const ratio = (x: Value | null | undefined) => (x && typeof x.value === 'number' ? `${x.value}×` : '—');
  out.push(table(
    ['model', 'batch', 'app RT/item', 'app model/item', '1t RT/item', 'direct/item', 'app RT/direct', 'paired', '1t RT/direct', '1t model/direct', 'app model/1t model'],
    e.models.flatMap((x) => x.series.map((s) => {
      const q = 'note' in s.ratios ? null : s.ratios;
      return [x.model, s.name, num(s.perItem.roundTrip), num(s.perItem.model), num(s.perItem.singleThreadRoundTrip), num(s.perItem.direct),
        ratio(q?.roundTripOverDirect), ratio(q?.pairedRoundTripOverDirect), ratio(q?.singleThreadRoundTripOverDirect), ratio(q?.singleThreadModelOverDirect), ratio(q?.appThreadsOverSingleThread)];
    })),
  ));
  for (const x of e.models) {
    out.push(`  ${x.model} (${x.family}, ${x.embedDim}-d): same-inputs check ${v(x.sameInputsCheck)} → ${x.inputsMatched ? 'matched' : 'NOT matched'}${x.unmatched.length ? `; unmatched inputs: ${x.unmatched.join(', ')}` : ''}`);
    out.push(`    feeds: ${Object.entries({ ...x.feeds.image, ...x.feeds.text }).map(([k, f]) => `${k} ← ${f}`).join('; ')}`);
  }
  out.push('');
  const f = r.f_projection1000Points;
  out.push(`(f) jointMap on 1,000 points (500 images + 500 captions), main thread, goal ${f.goal}`);
  out.push(table(
    ['model', 'dim', 'runs', 'median', 'p90', 'max', 'first call', '> 50 ms?'],
    f.models.map((x) => [x.model, String(x.dim), String(x.runs.n), x.runs.median.toFixed(2), x.runs.p90.toFixed(2), x.runs.max.toFixed(2), `${v(x.firstCall)}${x.firstCallIsColdJit ? ' (cold)' : ' (warm)'}`,
      x.medianExceedsBudget ? 'median YES' : x.anyRunExceedsBudget || x.firstCallExceedsBudget ? 'median no, some call yes' : 'no']),
  ));
  for (const x of f.models) out.push(`  ${x.model}: ${x.embeddings}; long task during the runs: ${v(x.longestTaskDuringRuns)}`);
  out.push('');
  out.push(`external requests (all blocked): ${r.conditions.externalRequests} · page errors: ${r.conditions.pageErrors.length}`);
  return out.join('\n');
}
