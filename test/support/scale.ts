/**
 * The size of the reliability tests: small by default (a few seconds each, for CI); `RELIABILITY_SCALE`
 * multiplies it (`npm run soak` sets 50: 10,000 fuzzed requests). `RELIABILITY_SEED` replays a run.
 */
export const SCALE = Math.max(1, Number(process.env.RELIABILITY_SCALE ?? 1) || 1);
export const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31);

/** A small seeded generator (mulberry32), so a failing run can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
