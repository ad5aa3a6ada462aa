import { batchesOf, generateBids } from './generator.js';
import { pipeline, QUERIES } from './queries.js';
const bids = generateBids({ events: 1_000_000 });
const batches = batchesOf(bids, 1000);
const q = QUERIES.find((x) => x.name === (process.env.Q ?? 'q5'))!;
for (let rep = 0; rep < 4; rep++) { const p = pipeline(q); const t0 = process.cpuUsage(); for (const b of batches) p.source.emit(b); p.finish(); const u = process.cpuUsage(t0); console.log(q.name, (bids.auction.length / (u.user + u.system)).toFixed(2), 'M/cpu-s'); }
