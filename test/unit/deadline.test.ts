import { describe, expect, it } from 'vitest';
import { currentDeadline, withDeadline } from '../../src/lib/deadline.js';

describe('withDeadline', () => {
  it('gives the work a deadline whose signal aborts with a TimeoutError when it passes', async () => {
    const reason = await withDeadline(30, async () => {
      const deadline = currentDeadline()!;
      expect(deadline.at).toBeGreaterThan(Date.now());
      await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve));
      return deadline.signal.reason as DOMException;
    });
    expect(reason.name).toBe('TimeoutError');
    expect(currentDeadline()).toBeUndefined();
  });

  it('never aborts once the work has settled', async () => {
    const signal = await withDeadline(20, async () => currentDeadline()!.signal);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal.aborted).toBe(false);
  });

  it('keeps the outer deadline inside one that ends later, and arms an earlier one', async () => {
    await withDeadline(5_000, async () => {
      const outer = currentDeadline()!;
      await withDeadline(10_000, async () => expect(currentDeadline()).toBe(outer));
      await withDeadline(100, async () => {
        const inner = currentDeadline()!;
        expect(inner).not.toBe(outer);
        expect(inner.at).toBeLessThan(outer.at);
      });
      expect(currentDeadline()).toBe(outer);
    });
  });
});
