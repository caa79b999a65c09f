import { Injectable } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { HttpExchange } from '@app/openstack';
import { MetricsRegistry } from '@app/platform';

/** Every Keystone call the bridge makes, timed (Prometheus) and counted (provisioning reports, tests, the benchmark). */
@Injectable()
export class KeystoneMetrics {
  private readonly latency: Histogram<'method' | 'status'>;
  /** Calls made since start; auth = token issuance (the bridge's own and users'). */
  readonly calls = { read: 0, write: 0, auth: 0 };

  constructor(metrics: MetricsRegistry) {
    this.latency = new Histogram({
      name: 'aai_keystone_request_duration_seconds',
      help: 'Keystone API call latency',
      labelNames: ['method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [metrics.registry],
    });
  }

  observe(exchange: HttpExchange): void {
    this.calls[exchange.kind]++;
    this.latency.observe({ method: exchange.method, status: String(exchange.status) }, exchange.seconds);
  }
}
