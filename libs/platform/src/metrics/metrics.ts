import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Header, Injectable, NestMiddleware } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from '../auth/roles';

/** One registry per process; domain modules register their own counters on it. */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}

/** Where the Fastify app puts the matched route's pattern on the request, for the label below. */
export const ROUTE_PATTERN = Symbol('routePattern');

/** The request as a middleware sees it: express's (route set once matched) or Node's own under Fastify. */
type MiddlewareRequest = IncomingMessage & { route?: { path?: string }; baseUrl?: string; [ROUTE_PATTERN]?: string };

/** Times every request; labels use the route pattern, not the URL, to keep cardinality bounded. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsRegistry) {}

  use(req: MiddlewareRequest, res: ServerResponse, next: () => void): void {
    const end = this.metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const route = req[ROUTE_PATTERN] ?? (req.route?.path === undefined ? 'unmatched' : `${req.baseUrl ?? ''}${req.route.path}`);
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  }
}

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
