import { describe, expect, it } from 'vitest';
import { isLoopback } from './access.js';

describe('isLoopback', () => {
  it('is true for addresses no other machine can reach', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopback(host)).toBe(true);
  });

  it('is false for every interface, a LAN address or a name', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1', '127.0.0.1.example.com']) {
      expect(isLoopback(host)).toBe(false);
    }
  });
});
