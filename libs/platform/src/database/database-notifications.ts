import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Client } from 'pg';

export interface NotificationSubscriber {
  /** A NOTIFY on the channel arrived. */
  onNotify(payload: string): void;
  /**
   * Listening began (true) or the connection was lost (false). While not listening, notifications
   * are missed: whatever a subscriber keeps because "it would be told" must not be trusted.
   */
  onListening(listening: boolean): void;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 10_000;

/**
 * PostgreSQL LISTEN on a dedicated connection (a pooled one would be handed to queries, and a
 * LISTEN on it lost). Reconnects by itself after a loss; subscribers hear when it is down.
 */
@Injectable()
export class DatabaseNotifications implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private readonly subscribers = new Map<string, Set<NotificationSubscriber>>();
  private client?: Client;
  private listening = false;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private retry?: NodeJS.Timeout;

  constructor(private readonly config: ConfigService) {}

  get isListening(): boolean {
    return this.listening;
  }

  /** Call before the module starts (from a constructor): channels are listened to on connect. */
  subscribe(channel: string, subscriber: NotificationSubscriber): void {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`not a channel name: ${channel}`);
    if (!this.subscribers.has(channel)) this.subscribers.set(channel, new Set());
    this.subscribers.get(channel)!.add(subscriber);
    const client = this.client;
    if (client && this.listening) {
      client.query(`LISTEN ${channel}`).then(
        () => this.client === client && this.listening && subscriber.onListening(true),
        (err: Error) => this.lost(client, err),
      );
    }
  }

  onModuleInit(): void {
    // Not awaited: the service works without it (subscribers only keep nothing meanwhile).
    void this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.setListening(false);
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.client) return;
    const client = new Client({
      connectionString: this.config.getOrThrow<string>('DATABASE_URL'),
      application_name: `${this.config.get<string>('SERVICE_NAME') ?? 'openstack-ha-plumbing'} listener`,
      connectionTimeoutMillis: 5000,
      // A peer that vanishes without a FIN (a failed-over host) is noticed by keepalive probes.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    this.client = client;
    client.on('notification', (n) => {
      for (const s of this.subscribers.get(n.channel) ?? []) s.onNotify(n.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.subscribers.keys()) await client.query(`LISTEN ${channel}`);
      if (this.client !== client) return;
      if (this.retryMs > FIRST_RETRY_MS) this.logger.log('listening for database notifications again');
      this.retryMs = FIRST_RETRY_MS;
      this.setListening(true);
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private lost(client: Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.setListening(false);
    if (this.stopped) return;
    this.logger.warn(`database notifications lost (${err?.message ?? 'connection ended'}); retrying in ${this.retryMs} ms`);
    this.retry = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private setListening(listening: boolean): void {
    if (this.listening === listening) return;
    this.listening = listening;
    for (const set of this.subscribers.values()) for (const s of set) s.onListening(listening);
  }
}
