// Type tests for the DataFrame API: checked by `tsc --noEmit` (not run). Each @ts-expect-error must be a real type error.
import { DataFrame, Stream, type Frame } from '../../src/index.js';

const source = new Stream<unknown>();
const sdf = new DataFrame(source, { example: { k: 'utf8', k2: 'int32', v: 'float64', ts: 'timestamp' } });

// column names flow from the example
sdf.col('v');
// @ts-expect-error not a column of the example
sdf.col('nope');
// @ts-expect-error select takes only known columns
sdf.select(['k', 'nope']);
const kv: DataFrame<{ k: 'utf8'; v: 'float64' }> = sdf.select(['k', 'v']);
// @ts-expect-error a selected frame has no ts any more
kv.col('ts');

// groupby keys and grouped columns are checked too
sdf.groupby('k').col('v').sum();
sdf.groupby(['k', 'k2']).agg({ v: ['sum', 'mean', 'max'] });
// @ts-expect-error unknown groupby key
sdf.groupby('nope');
// @ts-expect-error unknown key among several
sdf.groupby(['k', 'nope']);
// @ts-expect-error unknown grouped column
sdf.groupby('k').col('nope');
// @ts-expect-error unknown column in agg
sdf.groupby('k').agg({ nope: 'sum' });
// @ts-expect-error unknown aggregation
sdf.groupby('k').agg({ v: 'median' });

// result schemas carry names and dtypes
const sums: DataFrame<{ k: 'utf8'; v: 'float64' }> = sdf.groupby('k').col('v').sum();
const agg: DataFrame<{ k: 'utf8'; k2: 'int32'; v_sum: 'float64'; v_max: 'float64' }> = sdf.groupby(['k', 'k2']).agg({ v: ['sum', 'max'] });
agg.col('v_max');
// @ts-expect-error v_mean was not asked for
agg.col('v_mean');
const lastTs: DataFrame<{ k: 'utf8'; ts: 'timestamp' }> = sdf.groupby('k').col('ts').last();
const firstK: DataFrame<{ k2: 'int32'; k: 'utf8' }> = sdf.groupby('k2').col('k').first();

// windows
sdf.window({ n: 10 }).groupby('k').col('v').mean();
sdf.window({ value: '10s', on: 'ts' }).col('v').sum();
// @ts-expect-error the time column must be a column
sdf.window({ value: '10s', on: 'nope' });
// @ts-expect-error unknown key in a windowed groupby
sdf.window({ n: 10 }).groupby('nope');

// expressions: typed masks, assign adds typed columns
const assigned = sdf.filter(sdf.col('v').gt(0.5)).assign({ w: sdf.col('v').mul(2), flag: sdf.col('k').eq('a'), c: 1 });
const wcol: 'float64' = assigned.schema.w;
const flag: 'bool' = assigned.schema.flag;
assigned.col('w').rolling(10).mean();
// @ts-expect-error a float column is not a mask
sdf.filter(sdf.col('v'));
const later: 'timestamp' = sdf.col('ts').add(1000).dtype;
const diff: 'float64' = sdf.col('ts').sub(sdf.col('ts')).dtype;

// per-row operations keep the series name
const rolled: DataFrame<{ v: 'float64' }> = sdf.col('v').rolling(100).mean();
const both: DataFrame<{ v_mean: 'float64'; v_std: 'float64' }> = sdf.col('v').rolling('5s').agg(['mean', 'std']);
const renamed: DataFrame<{ x: 'float64' }> = sdf.col('v').alias('x').cumsum();
const counts: DataFrame<{ k: 'utf8'; count: 'float64' }> = sdf.col('k').valueCounts();
// @ts-expect-error rolling results are float64
const wrong: DataFrame<{ v: 'utf8' }> = sdf.col('v').rolling(3).sum();

// the stream carries Frames with conversions
const frames: Stream<Frame> = sums.stream;
frames.sink((f) => f.toArrow().numRows + f.toRows().length + Object.keys(f.toColumns()).length);

// streamz's plain start values for sum, count and mean; var/std take ddof
const started: DataFrame<{ v: 'float64' }> = sdf.col('v').sum({ start: 10 });
const meanStart = sdf.col('v').mean({ start: [10, 2] });
// @ts-expect-error max takes a snapshot as start, not a number
sdf.col('v').max({ start: 10 });
const var0: DataFrame<{ v: 'float64' }> = sdf.col('v').var({ ddof: 0 });
const mapped: DataFrame<{ v: 'float64' }> = sdf.col('v').map((x) => x * 2).toFrame();

void [kv, sums, agg, lastTs, firstK, wcol, flag, later, diff, rolled, both, renamed, counts, wrong, started, meanStart, var0, mapped];
