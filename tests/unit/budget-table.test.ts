import { describe, expect, it } from 'vitest';
import { prefillFlops } from '../../src/lib/budget/cost';
import { CAUSES, differenceCause, idefics3ShortSide } from '../../src/lib/budget/differences';
import { parseHash } from '../../src/lib/link/codec';
import { readState } from '../../src/lib/link/fields';
import { LAB_FIELDS, linkTo } from '../../src/lib/link/labs';
import { ARCHITECTURES, budgetTable, checkSize, referenceKnobs } from '../../src/lib/budget/registry';
import { csv, growthSeries, tableCsv, tilesCsv } from '../../src/lib/budget/report';
import { countKind, expandedText, SequenceBuilder, sequenceText } from '../../src/lib/budget/sequence';
import { idefics3 } from '../../src/lib/budget/idefics';

describe('checking a typed size', () => {
  it('accepts whole numbers of pixels and says what is wrong with anything else', () => {
    expect(checkSize('1920', ' 1080 ')).toEqual({ ok: true, size: { width: 1920, height: 1080 } });
    const message = (w: string, h: string) => {
      const c = checkSize(w, h);
      return c.ok ? null : c.message;
    };
    expect(message('0', '10')).toMatch(/at least 1 pixel/);
    expect(message('-3', '10')).toMatch(/at least 1 pixel/);
    expect(message('100000', '1')).toMatch(/larger than 16384/);
    expect(message('abc', '10')).toMatch(/not a number/);
    expect(message('', '10')).toMatch(/empty/);
    expect(message('10', '2.5')).toMatch(/whole number/);
    expect(message('12000', '12000')).toMatch(/megapixels/);
  });
});

describe('the link', () => {
  it('reads the size, the row and the knobs from #budget?w=…&h=…, and writes them back', () => {
    const read = (hash: string) => readState(LAB_FIELDS.budget, parseHash(hash).entries);
    expect(read('#budget?w=1920&h=1080').state).toEqual({ w: '1920', h: '1080' });
    expect(read('#budget').state).toEqual({});
    const hash = linkTo('budget', { w: '640', h: '480', arch: 'internvl2.5', maxTiles: 6 });
    expect(hash).toBe('#budget?w=640&h=480&arch=internvl2.5&maxTiles=6');
    expect(read(hash)).toEqual({ state: { w: '640', h: '480', arch: 'internvl2.5', maxTiles: 6 }, dropped: [] });
    // A knob outside its slider and a row that is not one of the ten are dropped, with a reason.
    const bad = read('#budget?maxTiles=99&arch=gpt-5');
    expect(bad.state).toEqual({});
    expect(bad.dropped).toHaveLength(2);
  });
});

describe('the table', () => {
  it('has the ten architectures in order, each with its checkpoint, rule and source', () => {
    expect(ARCHITECTURES.map((a) => a.id)).toEqual(['llava-1.5', 'llava-next', 'llava-onevision', 'idefics2', 'idefics3', 'smolvlm', 'internvl2.5', 'qwen2-vl', 'minicpm-v-2.6', 'paligemma']);
    for (const a of ARCHITECTURES) {
      expect(a.checkpoint).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(a.rule.length).toBeGreaterThan(0);
      expect(a.source.length).toBeGreaterThan(10);
    }
  });

  it('keeps a refusal in its row and the other rows computed', () => {
    const rows = budgetTable({ width: 1, height: 500 });
    const refused = rows.filter((r) => r.refusal !== null).map((r) => r.architecture.id);
    expect(refused).toEqual(['idefics2', 'qwen2-vl']); // a 1-pixel crop; aspect ratio 500 > 200
    expect(rows.find((r) => r.architecture.id === 'paligemma')?.budget?.visualTokens).toBe(256);
  });

  it('follows the knobs, with the reference values by default', () => {
    expect(referenceKnobs()).toEqual({ longestEdge: 2048, maxTiles: 12, minPixels: 3136, maxPixels: 12845056, maxSlices: 9 });
    const small = budgetTable({ width: 1920, height: 1080 }, { ...referenceKnobs(), maxPixels: 200704 });
    expect(small.find((r) => r.architecture.id === 'qwen2-vl')?.budget?.visualTokens).toBeLessThanOrEqual(256);
  });
});

describe('the prompt sequence', () => {
  it('merges runs and counts image and marker tokens', () => {
    const s = new SequenceBuilder().marker('<a>').image('<image>', 3).image('<image>', 2).text('\n').marker('<a>').build();
    expect(s).toHaveLength(4);
    expect(countKind(s, 'image')).toBe(5);
    expect(countKind(s, 'marker')).toBe(2);
    expect(expandedText(s)).toBe('<a><image><image><image><image><image>\n<a>');
    expect(sequenceText(s)).toBe('<a><image>×5\\n\n<a>');
  });
});

describe('reports', () => {
  it('writes CSV with quoting, the table, the tiles and the growth sweep', () => {
    expect(csv(['a', 'b'], [['x,y', 'say "hi"'], [1, null]])).toBe('a,b\n"x,y","say ""hi"""\n1,\n');
    const lines = tableCsv(budgetTable({ width: 1920, height: 1080 }), { width: 1920, height: 1080 }).trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[5].startsWith('idefics3,Idefics3,HuggingFaceM4/Idefics3-8B-Llama3,1920,1080,1456,1092,3,4,13,2197,27,')).toBe(true);
    const tiles = tilesCsv(idefics3.budget({ width: 1920, height: 1080 }, {}));
    expect(tiles.split('\n')[1]).toBe('tile,1,1,0,0,364,364');
    const growth = growthSeries({ width: 16, height: 9 }, referenceKnobs(), 112, 4096, 10);
    expect(growth.longSides[0]).toBe(112);
    expect(growth.longSides.at(-1)).toBe(4096);
    expect(growth.sizes[9]).toEqual({ width: 4096, height: 2304 });
    expect(growth.tokens.paligemma.every((t) => t === 256)).toBe(true);
    // LLaVA-1.5 never grows; Qwen2-VL grows with the pixels.
    expect(new Set(growth.tokens['llava-1.5'])).toEqual(new Set([576]));
    expect(growth.tokens['qwen2-vl'][9]! > growth.tokens['qwen2-vl'][0]!).toBe(true);
  });

  it('prefill FLOPs: 32 layers × (n · (8d² + 6d·f) + 4n²d)', () => {
    const d = 4096;
    expect(prefillFlops(1)).toBe(32 * (8 * d * d + 6 * d * 11008 + 4 * d));
    expect(prefillFlops(576)).toBe(32 * (576 * (8 * d * d + 6 * d * 11008) + 4 * 576 * 576 * d));
  });
});

describe('the known differences from transformers.js', () => {
  it('names a cause only where the rule applies', () => {
    expect(differenceCause('qwen2-vl', { width: 70, height: 70 })).toBe('qwen-half-even');
    expect(differenceCause('qwen2-vl', { width: 98, height: 98 })).toBeNull(); // 3.5 → 4 in both
    expect(differenceCause('qwen2-vl', { width: 20, height: 300 })).toBe('qwen-small-side');
    expect(idefics3ShortSide({ width: 1460, height: 731 }, 1456)).toEqual({ python: 728, js: 729 });
    expect(differenceCause('idefics3', { width: 1460, height: 731 })).toBe('idefics3-two-decimals');
    expect(differenceCause('idefics3', { width: 1, height: 1500 })).toBe('idefics3-zero-side');
    expect(differenceCause('paligemma', { width: 5, height: 5 })).toBeNull();
    expect(Object.keys(CAUSES)).toHaveLength(5);
  });
});
