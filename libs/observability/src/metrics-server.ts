import { createServer, Server } from 'node:http';

import { metrics } from './metrics';

/**
 * Serves GET /metrics in the Prometheus text format on its own port, apart
 * from the app's public listener, so metrics never reach a tenant's
 * hostname or the Ingress.
 */
export async function startMetricsServer(port: number, host: string): Promise<Server> {
  const { registry } = metrics();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics collection failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
