import { describe, expect, it } from 'vitest';
import { withDeadline } from '../../src/lib/deadline.js';

describe('withDeadline', () => {
  it('gives the work a deadline whose signal aborts with a TimeoutError when it passes', async () => {
    const reason = await withDeadline(30, undefined, async (deadline) => {
      expect(deadline.at).toBeGreaterThan(Date.now());
      await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve));
      return deadline.signal.reason as DOMException;
    });
    expect(reason.name).toBe('TimeoutError');
  });

  it('never aborts once the work has settled', async () => {
    const signal = await withDeadline(20, undefined, async (deadline) => deadline.signal);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal.aborted).toBe(false);
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
