/**
 * The mail sender's waits (service/deliveryBackoff.ts), with a controlled clock: a server that
 * does not greet holds every email; what the server says about one domain holds only that domain;
 * an unknown outcome holds only its email (its next attempt, in the outbox); success forgets.
 */
import { describe, expect, it } from 'vitest';
import { createDeliveryBackoff, domainOf } from '../../service/deliveryBackoff.ts';

const settings = { retryInitialMs: 100, retryMaxMs: 400 };

describe('delivery backoff', () => {
  it('holds every email only when the server does not greet, doubling up to retryMaxMs', () => {
    let now = 0;
    const b = createDeliveryBackoff(settings, () => now);
    for (const wait of [100, 200, 400, 400]) {
      b.record('a@163.com', { outcome: 'retry', code: null, stage: 'connect' });
      expect(b.serverWaitMs()).toBe(wait);
    }
    now = 1_000;
    b.record('a@163.com', { outcome: 'sent', code: 250, stage: 'data' });
    expect(b.serverWaitMs()).toBe(0);
  });

  it('holds one recipient domain after a 4xx, not the others; unknown holds neither', () => {
    let now = 0;
    const b = createDeliveryBackoff(settings, () => now);
    b.record('xiuwu@163.com', { outcome: 'retry', code: 451, stage: 'envelope' });
    b.record('city@qq.com', { outcome: 'unknown', code: null, stage: 'data' });
    expect(b.domainWaitMs('other@163.COM')).toBe(100);
    expect(b.domainWaitMs('city@qq.com')).toBe(0);
    expect(b.serverWaitMs()).toBe(0);
    expect(b.nextDomainWaitMs(5_000)).toBe(100);
    now = 50;
    b.record('xiuwu@163.com', { outcome: 'sent', code: 250, stage: 'data' });
    expect(b.domainWaitMs('xiuwu@163.com')).toBe(0);
    expect(b.nextDomainWaitMs(5_000)).toBe(5_000);
  });

  it('names the domain of an address in lower case', () => {
    expect(domainOf('JYJ@Jiaozuo.Example.CN')).toBe('jiaozuo.example.cn');
  });
});
