import { describe, expect, it } from 'vitest';
import { nodePoolOptions } from '../../src/dss/pool.js';

const node = { url: 'https://dss.example.com', apiKey: 'k' };

describe('nodePoolOptions', () => {
  it("turns undici's own 300 s header and body deadlines off: each request's deadline is the transport's, up to the long-job timeout", () => {
    const options = nodePoolOptions(node, 16);
    expect(options.headersTimeout).toBe(0);
    expect(options.bodyTimeout).toBe(0);
  });

  it('opens as many connections as the parallelism, at least one, one request at a time on each', () => {
    expect(nodePoolOptions(node, 64)).toMatchObject({ connections: 64, pipelining: 1 });
    expect(nodePoolOptions(node, 0).connections).toBe(1);
  });

  it('verifies TLS unless the node is marked insecure', () => {
    expect(nodePoolOptions(node, 1).connect).toEqual({});
    expect(nodePoolOptions({ ...node, insecure: true }, 1).connect).toEqual({ rejectUnauthorized: false });
  });
});
