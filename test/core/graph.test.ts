import { describe, expect, it } from 'vitest';
import { nodeIds, Stream } from '../../src/index.js';

function build(windowSize = 10) {
  const source = new Stream<number>().name('numbers');
  const doubled = source.map((x) => x * 2);
  doubled.filter((x) => x > 3).slidingWindow(windowSize).sink(() => {});
  doubled.accumulate((a, x) => a + x, { start: 0 }).name('total').sinkToList();
  return source;
}

describe('graph', () => {
  it('gives deterministic ids from kind and walk position, and keeps user names', () => {
    const ids = [...nodeIds(build()).values()];
    expect(ids).toEqual(['numbers', 'map-1', 'filter-2', 'total', 'slidingWindow-4', 'sinkToList-5', 'sink-6']);
    expect([...nodeIds(build()).values()]).toEqual(ids);
  });

  it('rejects two nodes with the same name', () => {
    const s = new Stream<number>();
    s.map((x) => x).name('a');
    s.filter(Boolean).name('a');
    expect(() => s.describe()).toThrow(/two nodes have the id "a"/);
  });

  it('describes nodes, state-relevant parameters and edges; the fingerprint follows them', () => {
    const d = build().describe();
    expect(d.nodes.find((n) => n.kind === 'slidingWindow')).toEqual({ id: 'slidingWindow-4', kind: 'slidingWindow', params: { n: 10, returnPartial: true } });
    expect(d.edges).toContainEqual(['numbers', 'map-1']);
    expect(d.edges).toContainEqual(['filter-2', 'slidingWindow-4']);
    expect(build().fingerprint()).toBe(build().fingerprint());
    expect(build().fingerprint()).toMatch(/^[0-9a-f]{64}$/);
    expect(build(11).fingerprint()).not.toBe(build().fingerprint());
  });

  it('renders DOT and Mermaid', () => {
    const dot = build().toDot();
    expect(dot).toMatch(/^digraph pipeline \{/);
    expect(dot).toContain('"numbers" -> "map-1";');
    expect(dot).toContain('slidingWindow-4: slidingWindow\\nn=10\\nreturnPartial=true');
    const mermaid = build().toMermaid();
    expect(mermaid.split('\n')[0]).toBe('flowchart TD');
    expect(mermaid).toContain('n0 --> n1');
  });

  it('disconnect and destroy change the graph', () => {
    const s = new Stream<number>();
    const a = s.map((x) => x + 1);
    const out = a.sinkToList();
    s.emit(1);
    a.destroy();
    s.emit(2);
    expect(out).toEqual([2]);
    expect(s.downstreams).toEqual([]);
    const b = new Stream<number>();
    s.connect(b);
    const got = b.sinkToList();
    s.emit(3);
    s.disconnect(b);
    s.emit(4);
    expect(got).toEqual([3]);
  });
});
