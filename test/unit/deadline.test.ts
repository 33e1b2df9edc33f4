import { describe, expect, it } from 'vitest';
import { withDeadline } from '../../src/lib/deadline.js';

describe('withDeadline', () => {
  it('gives the work a deadline whose signal aborts with a TimeoutError when it passes, at most a twentieth late', async () => {
    const started = Date.now();
    const reason = await withDeadline(200, undefined, async (deadline) => {
      expect(deadline.at).toBeGreaterThanOrEqual(started + 200);
      expect(deadline.at).toBeLessThanOrEqual(started + 210);
      await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve));
      return deadline.signal.reason as DOMException;
    });
    expect(Date.now()).toBeGreaterThanOrEqual(started + 200);
    expect(reason.name).toBe('TimeoutError');
  });

  it('shares one signal among the requests whose deadlines fall in the same tick, not one per request', async () => {
    const signals = new Set<AbortSignal>();
    await Promise.all(
      Array.from({ length: 500 }, () => withDeadline(20_000, undefined, async (deadline) => void signals.add(deadline.signal))),
    );
    // 500 requests started within a few ms of each other, 100 ms ticks: one or two signals, not 500.
    expect(signals.size).toBeLessThanOrEqual(2);
  });

  it('keeps the outer deadline inside one that ends later, and arms an earlier one', async () => {
    await withDeadline(5_000, undefined, async (outer) => {
      await withDeadline(10_000, outer, async (inner) => expect(inner).toBe(outer));
      await withDeadline(100, outer, async (inner) => {
        expect(inner).not.toBe(outer);
        expect(inner.at).toBeLessThan(outer.at);
      });
    });
  });
});
