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
  it('gives deterministic ids from the kind and its count in the walk, and keeps user names', () => {
    const ids = [...nodeIds(build()).values()];
    expect(ids).toEqual(['numbers', 'map-0', 'filter-0', 'total', 'slidingWindow-0', 'sinkToList-0', 'sink-0']);
    expect([...nodeIds(build()).values()]).toEqual(ids);
  });

  it('keeps generated ids when a node of another kind is inserted', () => {
    const plain = new Stream<number>();
    plain.accumulate((a, x) => a + x, { start: 0 }).slidingWindow(3).sinkToList();
    const inserted = new Stream<number>();
    inserted.map((x) => x).filter(Boolean).accumulate((a, x) => a + x, { start: 0 }).map(String).slidingWindow(3).sinkToList();
    const stateful = (ids: Map<Stream<any>, string>) => [...ids].filter(([n]) => n.kind === 'accumulate' || n.kind === 'slidingWindow').map(([, id]) => id);
    expect(stateful(nodeIds(inserted))).toEqual(stateful(nodeIds(plain)));
    expect(stateful(nodeIds(plain))).toEqual(['accumulate-0', 'slidingWindow-0']);
  });

  it('rejects two nodes with the same name', () => {
    const s = new Stream<number>();
    s.map((x) => x).name('a');
    s.filter(Boolean).name('a');
    expect(() => s.describe()).toThrow(/two nodes have the id "a"/);
  });

  it('describes nodes, state-relevant parameters and edges; the fingerprint follows them', () => {
    const d = build().describe();
    expect(d.nodes.find((n) => n.kind === 'slidingWindow')).toEqual({ id: 'slidingWindow-0', kind: 'slidingWindow', params: { n: 10, returnPartial: true } });
    expect(d.edges).toContainEqual(['numbers', 'map-0']);
    expect(d.edges).toContainEqual(['filter-0', 'slidingWindow-0']);
    expect(build().fingerprint()).toBe(build().fingerprint());
    expect(build().fingerprint()).toMatch(/^[0-9a-f]{64}$/);
    expect(build(11).fingerprint()).not.toBe(build().fingerprint());
  });

  it('renders DOT and Mermaid', () => {
    const dot = build().toDot();
    expect(dot).toMatch(/^digraph pipeline \{/);
    expect(dot).toContain('"numbers" -> "map-0";');
    // Labels: id, kind unless the id says it, a short summary; every parameter in the tooltip.
    expect(dot).toContain('"slidingWindow-0" [label="slidingWindow-0\\nn=10 returnPartial=true", tooltip="slidingWindow-0 (slidingWindow)\\nn = 10\\nreturnPartial = true"]');
    expect(dot).toContain('"total" [label="total\\naccumulate');
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
