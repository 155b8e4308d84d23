import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Every response time in milliseconds, sorted. */
  latencies: number[];
}

export interface LoadOptions {
  port: number;
  host: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/**
 * Runs `connections` keep-alive clients in a closed loop for `seconds` and
 * records each response time in milliseconds. Non-200 responses count as
 * errors and are left out of the latencies.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let errors = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(options.seconds * 1e9));

  const once = () =>
    new Promise<void>((resolve) => {
      const begin = process.hrtime.bigint();
      const req = request(
        {
          host: '127.0.0.1',
          port: options.port,
          path: options.path,
          agent,
          headers: { host: options.host, ...options.headers },
          setHost: false,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - begin) / 1e6);
            else errors += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end();
    });

  const client = async () => {
    while (process.hrtime.bigint() < deadline) await once();
  };
  await Promise.all(Array.from({ length: options.connections }, client));
  agent.destroy();

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((left, right) => left - right);
  return {
    requests: latencies.length,
    errors,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    latencies,
  };
}
