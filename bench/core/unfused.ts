/**
 * Preload that switches operator fusion off for the whole process, to time another benchmark on
 * the unfused path (the code path before fusion) next to its fused run:
 * `node --import tsx --import ./bench/core/unfused.ts bench/kafka/run.ts`.
 */
import { setFusion } from '../../src/core/fuse.js';

setFusion(false);
