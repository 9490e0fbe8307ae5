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
  out.push(`external requests (all blocked): ${r.conditions.externalRequests} · page errors: ${r.conditions.pageErrors.length}`);
  return out.join('\n');
}
