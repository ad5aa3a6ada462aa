import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprintDiff, PipelineChangedError, pipelineFingerprint } from '../../src/checkpoint/index.js';

const base = {
  nodes: [
    { id: 'src', kind: 'fromKafka', params: { topic: 'orders', group: 'g' } },
    { id: 'win', kind: 'slidingWindow', params: { n: 10 } },
    { id: 'sink', kind: 'sink' },
  ],
  edges: [
    ['src', 'win'],
    ['win', 'sink'],
  ] as Array<[string, string]>,
};

describe('fingerprints', () => {
  it('do not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    const reordered = JSON.parse(JSON.stringify(base, ['edges', 'nodes', 'params', 'n', 'group', 'topic', 'kind', 'id']));
    expect(pipelineFingerprint(reordered)).toBe(pipelineFingerprint(base));
    expect(pipelineFingerprint(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists added/removed nodes, kind and parameter changes, added/removed edges', () => {
    expect(fingerprintDiff(base, structuredClone(base))).toEqual([]);
    const changed = {
      nodes: [
        { id: 'src', kind: 'fromKafka', params: { topic: 'orders2', group: 'g' } },
        { id: 'win', kind: 'tumblingWindow', params: { n: 10, emitEmpty: true } },
        { id: 'count', kind: 'accumulate' },
      ],
      edges: [
        ['src', 'win'],
        ['win', 'count'],
      ] as Array<[string, string]>,
    };
    expect(fingerprintDiff(base, changed)).toEqual([
      'node "sink" (sink) removed',
      'node "count" (accumulate) added',
      'node "src": parameter topic changed from "orders" to "orders2"',
      'node "win": kind changed from slidingWindow to tumblingWindow',
      'node "win": parameter emitEmpty changed from unset to true',
      'edge win -> sink removed',
      'edge win -> count added',
    ]);
  });

  it('falls back to a generic difference for other shapes', () => {
    expect(fingerprintDiff({ x: 1 }, { x: 2 })).toEqual(['pipeline description changed (not in the nodes/edges form, no details)']);
    expect(fingerprintDiff({ x: 1 }, { x: 1 })).toEqual([]);
  });

  it('PipelineChangedError carries the differences in its message', () => {
    const e = new PipelineChangedError(['node "a" (map) added', 'edge a -> b removed'], 4);
    expect(e.differences).toHaveLength(2);
    expect(e.message).toContain('checkpoint 4');
    expect(e.message).toContain('  - node "a" (map) added\n  - edge a -> b removed');
  });
});
