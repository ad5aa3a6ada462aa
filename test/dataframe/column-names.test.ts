import { describe, expect, it } from 'vitest';
import { DataFrame, Stream } from '../../src/index.js';

describe('column names that are built-in object properties', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    it(`${name}: refused with a clear error when the DataFrame is built, instead of vanishing from rows or failing per batch`, () => {
      const example: Record<string, string> = { v: 'float64' };
      Object.defineProperty(example, name, { value: 'utf8', enumerable: true, writable: true, configurable: true });
      expect(() => new DataFrame(new Stream<Record<string, unknown>[]>(), { example: example as never })).toThrow(
        `DataFrame: a column may not be named ${JSON.stringify(name)} (a built-in property name of JavaScript objects); rename it`,
      );
    });
  }
});
