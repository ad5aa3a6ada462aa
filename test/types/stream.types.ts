// Type tests: checked by `tsc --noEmit` (not run). Each @ts-expect-error must be a real type error.
import { filter, map, pipe, Stream, type DeadLetter } from '../../src/index.js';

const numbers = new Stream<number>();
const strings: Stream<string> = numbers.map((x) => String(x));
// @ts-expect-error a Stream<string> is not a Stream<number>
const wrong: Stream<number> = numbers.map((x) => String(x));

// @ts-expect-error map's function receives numbers, not strings
numbers.map((x: string) => x.length);

// @ts-expect-error a number stream cannot feed a string stream
numbers.connect(new Stream<string>());
numbers.connect(new Stream<number>());

// filter with a type guard narrows
const mixed = new Stream<number | string>();
const onlyStrings: Stream<string> = mixed.filter((x): x is string => typeof x === 'string');
// @ts-expect-error a plain filter keeps the union
const notNarrowed: Stream<string> = mixed.filter((x) => String(x).length > 1);

// accumulate: state type from start; without start, state is the element type
const lengths: Stream<number> = strings.accumulate((n: number, s: string) => n + s.length, { start: 0 });
// @ts-expect-error without start the state must be the element type
strings.accumulate((n: number, s: string) => n + s.length);
const pairs: Stream<string> = numbers.accumulate((s: number, x: number) => [s + x, String(s + x)] as const, { start: 0, returnsState: true });

// starmap and flatten require tuple / iterable elements
const tuples = new Stream<[number, string]>();
const joined: Stream<string> = tuples.starmap((n, s) => s.repeat(n));
// @ts-expect-error starmap needs tuple elements
numbers.starmap((a: number) => a);
const flat: Stream<number> = new Stream<number[]>().flatten();
// @ts-expect-error flatten needs iterable elements
numbers.flatten();

// pluck picks typed fields
const records = new Stream<{ id: number; name: string }>();
const ids: Stream<number> = records.pluck('id');
const both: Stream<readonly [number, string]> = records.pluck(['id', 'name']);
// @ts-expect-error no such field
records.pluck('missing');

// windows, zip and friends carry element types
const windows: Stream<number[]> = numbers.slidingWindow(3);
const zipped: Stream<[number, string, boolean]> = numbers.zip(strings, new Stream<boolean>());
const latest: Stream<[number, string]> = numbers.combineLatest(strings, { emitOn: numbers });
// @ts-expect-error union needs streams of the same type
numbers.union(strings);

// pipe composes in reading order and checks each step's input
const toLabels = pipe(
  map((x: number) => x * 2),
  filter((x) => x > 2),
  map((x) => `#${x}`),
);
const labels: Stream<string> = toLabels(numbers);
const labels2: Stream<string> = numbers.pipe(toLabels);
// @ts-expect-error the second step expects strings but receives numbers
pipe(map((x: number) => x * 2), map((s: string) => s.length));
// @ts-expect-error a number operator cannot be applied to a string stream
strings.pipe(toLabels);

// dead letters carry the element
const dead = new Stream<DeadLetter>();
numbers.map((x) => x).onError({ deadLetter: dead });

// mapAsync unwraps promises
const fetched: Stream<string> = numbers.mapAsync(async (x) => `${x}`);

export { wrong, onlyStrings, notNarrowed, lengths, pairs, joined, flat, ids, both, windows, zipped, latest, labels, labels2, fetched };

// zip takes constants among the streams; remove and frequencies keep / count the element type
const zippedConst: Stream<[number, 123, string]> = numbers.zip(123 as const, strings);
// @ts-expect-error the constant's place is typed
const zippedWrong: Stream<[number, string, string]> = numbers.zip(123 as const, strings);
const odd: Stream<number> = numbers.remove((x) => x % 2 === 0);
const freq: Stream<Map<string, number>> = strings.frequencies();
void [zippedConst, zippedWrong, odd, freq];
