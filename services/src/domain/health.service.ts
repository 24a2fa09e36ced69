/**
 * Health: the state of every dependency the API needs (database, Fabric, EVM, the projector's
 * lag). Answers are cached for a moment so a polling load balancer cannot load the ledgers.
 */
import { sql, type Kysely } from 'kysely';
import type { EvmLedger } from '../ledger/evm/evm-ledger';
import type { FabricActor, FabricLedger } from '../ledger/fabric/fabric-ledger';
import type { Database } from '../readmodel/schema';
import { CheckpointRepository, projectedThrough } from '../repositories/checkpoint.repository';
import { OutboxRepository } from '../repositories/outbox.repository';
import type { FabricHeightTracker } from '../workers/fabric-height';
import { FABRIC_PROJECTOR } from '../workers/fabric-projector';

/** One dependency's state. */
export interface DependencyHealth {
  readonly status: 'up' | 'down';
  readonly detail?: string;
  readonly [fact: string]: unknown;
}

/** The health report. */
export interface HealthReport {
  readonly status: 'up' | 'down';
  readonly checkedAt: string;
  readonly database: DependencyHealth;
  readonly fabric: DependencyHealth;
  readonly evm: DependencyHealth;
  readonly projector: DependencyHealth;
  readonly outbox: DependencyHealth;
}

export interface HealthServiceDependencies {
  readonly db: Kysely<Database>;
  readonly fabric: FabricLedger;
  readonly evm: EvmLedger;
  readonly heights: FabricHeightTracker;
  readonly probe: FabricActor;
  readonly maxLagBlocks: number;
  readonly cacheMs?: number;
  readonly timeoutMs?: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${String(ms)} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reports the state of every dependency; see {@link HealthReport}. */
export class HealthService {
  #cached: { at: number; report: Promise<HealthReport> } | undefined;

  constructor(private readonly deps: HealthServiceDependencies) {}

  /** The current report (at most `cacheMs` old). */
  report(): Promise<HealthReport> {
    const now = Date.now();
    if (this.#cached === undefined || now - this.#cached.at > (this.deps.cacheMs ?? 1_000)) {
      this.#cached = { at: now, report: this.check() };
    }
    return this.#cached.report;
  }

  private async check(): Promise<HealthReport> {
    const timeout = this.deps.timeoutMs ?? 3_000;
    const [database, fabric, evm] = await Promise.all([
      this.checkDatabase(timeout),
      this.checkFabric(timeout),
      this.checkEvm(timeout),
    ]);
    const [projector, outbox] = database.status === 'up' ? await Promise.all([this.checkProjector(), this.checkOutbox()]) : [{ status: 'down' as const, detail: 'the database is down' }, { status: 'down' as const, detail: 'the database is down' }];
    const all = [database, fabric, evm, projector];
    return {
      status: all.every((d) => d.status === 'up') ? 'up' : 'down',
      checkedAt: new Date().toISOString(),
      database,
      fabric,
      evm,
      projector,
      outbox,
    };
  }

  private async checkDatabase(timeout: number): Promise<DependencyHealth> {
    try {
      await within(timeout, sql`select 1`.execute(this.deps.db));
      return { status: 'up' };
    } catch (err) {
      return { status: 'down', detail: message(err) };
    }
  }

  private async checkFabric(timeout: number): Promise<DependencyHealth> {
    try {
      await within(timeout, this.deps.fabric.evaluate(this.deps.probe, 'certificate:ListTypes', []));
      return { status: 'up', channel: this.deps.fabric.channel, height: this.deps.heights.highestBlock + 1 };
    } catch (err) {
      return { status: 'down', detail: message(err) };
    }
  }

  private async checkEvm(timeout: number): Promise<DependencyHealth> {
    try {
      const deployment = this.deps.evm.deployment;
      const [chainId, blockNumber] = await within(timeout, Promise.all([this.deps.evm.chainId(), this.deps.evm.blockNumber()]));
      if (chainId !== deployment.chainId) return { status: 'down', detail: `the node serves chain ${String(chainId)}, the deployment is on ${String(deployment.chainId)}` };
      return { status: 'up', chainId, blockNumber, trustAnchor: deployment.trustAnchor.address };
    } catch (err) {
      return { status: 'down', detail: message(err) };
    }
  }

  private async checkProjector(): Promise<DependencyHealth> {
    const through = projectedThrough(await new CheckpointRepository(this.deps.db).get(FABRIC_PROJECTOR));
    const highest = Math.max(this.deps.heights.highestBlock, through);
    const lag = highest - through;
    if (!this.deps.heights.connected && this.deps.heights.highestBlock < 0) {
      return { status: 'down', detail: 'the ledger height is unknown (no block stream yet)', projectedThrough: through };
    }
    return lag <= this.deps.maxLagBlocks
      ? { status: 'up', lagBlocks: lag, projectedThrough: through, ledgerHeight: highest + 1 }
      : { status: 'down', detail: `${String(lag)} blocks behind`, lagBlocks: lag, projectedThrough: through, ledgerHeight: highest + 1 };
  }

  private async checkOutbox(): Promise<DependencyHealth> {
    const counts = await new OutboxRepository(this.deps.db).counts();
    // Dead letters need a person, not a restart: reported, but they do not fail the health check.
    return { status: 'up', pending: counts.pending, dead: counts.dead };
  }
}
