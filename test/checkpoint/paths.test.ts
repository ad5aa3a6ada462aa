import { describe, expect, it } from 'vitest';
import { assertSafeName, assertSafePath, UnsafePathError } from '../../src/checkpoint/index.js';

describe('assertSafePath / assertSafeName', () => {
  it('accepts relative posix paths and plain names', () => {
    for (const p of ['metadata/3.json', 'data/3/totals.parquet', 'a', 'map-0.filter_1', 'group by:key', 'a:b', 'ünïcode/名前']) {
      expect(() => assertSafePath(p)).not.toThrow();
      expect(() => assertSafeName(p, 'node id')).not.toThrow();
    }
  });

  it.each([
    ['..', /".." segment/],
    ['../x', /".." segment/],
    ['a/../b', /".." segment/],
    ['/etc/passwd', /relative/],
    ['C:/x', /drive letter/],
    ['C:', /drive letter/],
    ['a\\b', /backslash/],
    ['..\\..\\x', /backslash/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['', /empty/],
    ['a\0b', /NUL/],
    ['a\nb', /control/],
    ['./a', /"\." segment/],
  ])('rejects %j', (p, why) => {
    expect(() => assertSafePath(p)).toThrow(UnsafePathError);
    expect(() => assertSafePath(p)).toThrow(why);
    expect(() => assertSafeName(p, 'node id')).toThrow(/^Unsafe checkpoint node id/);
  });

  it('rejects non-strings', () => {
    expect(() => assertSafeName(42 as unknown as string, 'job name')).toThrow(/must be a string/);
  });
});
