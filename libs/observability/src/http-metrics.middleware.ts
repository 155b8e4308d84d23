import type { NextFunction, Request, Response } from 'express';

import { metrics } from './metrics';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times every request and records it under the route pattern Express
 * matched (such as /:kind/:id), never the raw path, so record ids and
 * unknown URLs do not become label values.
 */
export function httpMetrics(app: string) {
  const histogram = metrics().httpDuration;
  return (req: Request, res: Response, next: NextFunction) => {
    const stop = histogram.startTimer();
    res.once('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      // Node accepts some thirty methods; the rare ones share a label so they cannot multiply the series.
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      stop({ app, method, route, status_code: String(res.statusCode) });
    });
    next();
  };
}
