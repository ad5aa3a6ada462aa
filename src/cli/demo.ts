import { Stream } from '../index.js';

export interface Reading {
  sensor: string;
  celsius: number;
  time: number;
}

const SENSORS = ['boiler', 'attic', 'cellar', 'garage'];

/** A deterministic built-in event stream: temperature readings from four sensors, one a second. */
export function* sampleReadings(count: number, seed = 42): Generator<Reading> {
  let state = seed >>> 0;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i++) {
    const sensor = SENSORS[i % SENSORS.length];
    const celsius = 15 + 10 * Math.sin(i / 500 + SENSORS.indexOf(sensor)) + (random() - 0.5) * 2;
    yield { sensor, celsius: Math.round(celsius * 100) / 100, time: base + i * 1000 };
  }
}

/**
 * The demo job: readings → per-sensor running count and mean, a 100-reading moving average, and
 * one summary line printed every `every` readings.
 */
export async function runDemo(options: { count?: number; every?: number; print?: (line: string) => void } = {}): Promise<void> {
  const count = options.count ?? 20_000;
  const every = options.every ?? 5_000;
  const print = options.print ?? ((line: string) => console.log(line));

  const readings = Stream.fromIterable(sampleReadings(count)).name('readings');
  const perSensor = readings.accumulate(
    (acc: Record<string, { n: number; mean: number }>, r: Reading) => {
      const s = (acc[r.sensor] ??= { n: 0, mean: 0 });
      s.n += 1;
      s.mean += (r.celsius - s.mean) / s.n;
      return acc;
    },
    { start: {} },
  ).name('per-sensor');
  const moving = readings
    .map((r) => r.celsius)
    .slidingWindow(100)
    .map((w) => w.reduce((a, b) => a + b, 0) / w.length)
    .name('moving-average');

  readings
    .zip(perSensor, moving)
    .slice(every - 1, undefined, every)
    .sink(([r, sensors, avg]) => {
      const means = Object.entries(sensors)
        .map(([name, s]) => `${name} ${s.mean.toFixed(2)}`)
        .join(', ');
      print(`${new Date(r.time).toISOString()}  readings ${Object.values(sensors).reduce((n, s) => n + s.n, 0)}  moving avg ${avg.toFixed(2)} °C  means: ${means}`);
    });

  await readings.start();
}
