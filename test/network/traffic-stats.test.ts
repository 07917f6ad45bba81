import { describe, expect, it } from 'vitest';
import { mergeTraffic, TrafficRecorder } from '../../src/metrics/traffic-stats.js';
import { type DeviceTrafficReport, emptyCounts } from '../../src/network/traffic.js';

function report(bytes: number): DeviceTrafficReport {
  const device = { ...emptyCounts(), bytesSent: bytes, bytesReceived: 2 * bytes, connections: 1 };
  return { device, phases: { 'mqtt-connect': { ...device } } };
}

describe('traffic distributions', () => {
  it('mean and total exact, p50/p99 within HDR precision, max exact', () => {
    const recorder = new TrafficRecorder();
    for (let bytes = 1_000; bytes <= 100_000; bytes += 1_000) recorder.record(report(bytes));
    const { device } = recorder.build();
    expect(device.bytesSent.total).toBe(5_050_000);
    expect(device.bytesSent.mean).toBe(50_500);
    expect(device.bytesSent.max).toBe(100_000);
    expect(device.bytesSent.count).toBe(100);
    expect(Math.abs(device.bytesSent.p50 - 50_000)).toBeLessThanOrEqual(50);
    expect(Math.abs(device.bytesSent.p99 - 99_000)).toBeLessThanOrEqual(100);
    expect(device.connections.total).toBe(100);
  });

  it('merging workers or shards gives what one recorder of every device gives', () => {
    const whole = new TrafficRecorder();
    const parts = [new TrafficRecorder(), new TrafficRecorder(), new TrafficRecorder()];
    for (let i = 0; i < 300; i++) {
      const value = 500 + ((i * 7919) % 9_000);
      whole.record(report(value));
      parts[i % 3]!.record(report(value));
    }
    const merged = mergeTraffic(parts.map((part) => part.build()));
    const expected = whole.build();
    for (const stats of [merged?.device, merged?.phases['mqtt-connect']]) {
      expect(stats?.bytesSent.total).toBe(expected.device.bytesSent.total);
      expect(stats?.bytesSent.p50).toBe(expected.device.bytesSent.p50);
      expect(stats?.bytesSent.p99).toBe(expected.device.bytesSent.p99);
      expect(stats?.bytesReceived.max).toBe(expected.device.bytesReceived.max);
      expect(stats?.bytesSent.count).toBe(300);
    }
    expect(mergeTraffic([undefined, undefined])).toBeUndefined();
  });
});
