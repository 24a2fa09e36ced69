/**
 * The services' Prometheus metrics (prom-client), served at `/metrics`. One registry per
 * service instance (not prom-client's global one), so several instances in one process (tests,
 * the end-to-end suite) never mix their figures. Labels are route patterns and outcomes, never
 * ids or personal data.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric the services record. */
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'ctl_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'ctl_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly ledgerCallDuration = new Histogram({
    name: 'ctl_ledger_call_duration_seconds',
    help: 'Ledger call latency by ledger, operation and outcome',
    labelNames: ['ledger', 'operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly projectorLag = new Gauge({
    name: 'ctl_projector_lag_blocks',
    help: 'Blocks committed on the ledger but not yet projected into the read model',
    labelNames: ['projector'] as const,
    registers: [this.registry],
  });

  readonly projectedEvents = new Counter({
    name: 'ctl_projected_events_total',
    help: 'Ledger events written into the read model',
    labelNames: ['projector', 'event'] as const,
    registers: [this.registry],
  });

  readonly outboxDepth = new Gauge({
    name: 'ctl_outbox_entries',
    help: 'Outbox entries by status (pending, dead)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly outboxAttempts = new Counter({
    name: 'ctl_outbox_attempts_total',
    help: 'Outbox executions by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Adds the process metrics (CPU, memory, event loop lag) to this registry. */
  withDefaults(): this {
    collectDefaultMetrics({ register: this.registry, prefix: 'ctl_' });
    return this;
  }

  /**
   * Times a ledger call and records its outcome.
   *
   * @throws whatever `call` throws, after recording it as an error.
   */
  async timeLedgerCall<T>(ledger: 'fabric' | 'evm', operation: string, call: () => Promise<T>): Promise<T> {
    const end = this.ledgerCallDuration.startTimer({ ledger, operation });
    try {
      const result = await call();
      end({ outcome: 'ok' });
      return result;
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  }
}
