import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Dictionary } from '../../src/dataframe/dictionary.js';
import { Frame } from '../../src/dataframe/frame.js';
import { KeyIndex } from '../../src/dataframe/join/keys.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Key ids of a one-column utf8 frame under its own new dictionary; the dictionary is returned only weakly. */
function idsUnderNewDictionary(index: KeyIndex, strings: string[], codes: number[]): { ids: number[]; dict: WeakRef<Dictionary> } {
  const dict = new Dictionary(strings);
  const frame = new Frame({ k: { dtype: 'utf8', data: Int32Array.from(codes), dict } });
  return { ids: Array.from(index.ids(frame, ['k'])), dict: new WeakRef(dict) };
}

describe('join key ids', () => {
  it('give equal strings one id across dictionaries, and hold no dictionary the job dropped', async () => {
    const index = new KeyIndex(1);
    const first = idsUnderNewDictionary(index, ['a', 'b'], [0, 1, 0]);
    const second = idsUnderNewDictionary(index, ['b', 'c', 'a'], [0, 1, 2]);
    expect(first.ids).toEqual([0, 1, 0]);
    expect(second.ids).toEqual([1, 2, 0]);
    await new Promise((resolve) => setTimeout(resolve, 0)); // a WeakRef's target lives to the end of the current job
    gc();
    expect(first.dict.deref()).toBeUndefined();
    expect(second.dict.deref()).toBeUndefined();
  });
});
