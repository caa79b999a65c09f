import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePoolsMacsHistory1732500000100 implements MigrationInterface {
  name = 'CreatePoolsMacsHistory1732500000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pools (
        id                       serial PRIMARY KEY,
        name                     text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'),
        description              text NOT NULL DEFAULT '',
        network_ids              text[] NOT NULL DEFAULT '{}',
        project_ids              text[] NOT NULL DEFAULT '{}',
        availability_zones       text[] NOT NULL DEFAULT '{}',
        priority                 integer NOT NULL DEFAULT 100,
        quarantine_seconds       integer NOT NULL DEFAULT 0 CHECK (quarantine_seconds >= 0),
        reservation_ttl_seconds  integer NOT NULL DEFAULT 300 CHECK (reservation_ttl_seconds > 0),
        allow_universal          boolean NOT NULL DEFAULT false,
        created_at               timestamptz NOT NULL DEFAULT now(),
        updated_at               timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE TYPE mac_state AS ENUM ('free', 'reserved', 'allocated', 'quarantined')`);
    // One row per MAC: the primary key makes "a MAC exists in at most one pool" and "never the
    // same MAC to two live ports" structural, whatever the number of service instances.
    // pool_id has no foreign key on purpose: its per-row trigger doubled the time of a
    // million-row upload. Uploads and pool deletion both lock the pool row, and deleting a pool
    // deletes its MACs in the same transaction.
    await q.query(`
      CREATE TABLE macs (
        mac               macaddr PRIMARY KEY,
        pool_id           integer NOT NULL,
        state             mac_state NOT NULL DEFAULT 'free',
        hostname          text,
        ipv4              inet,
        ipv6              inet,
        description       text,
        port_id           text,
        device_id         text,
        device_owner      text,
        project_id        text,
        network_id        text,
        expires_at        timestamptz,
        -- free: order of hand-out (least recently used first); quarantined: when it ends
        available_since   timestamptz NOT NULL DEFAULT '-infinity',
        state_changed_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT live_state_has_port CHECK ((state IN ('reserved', 'allocated')) = (port_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX macs_free_by_pool ON macs (pool_id, (hostname IS NOT NULL), available_since, mac) WHERE state = 'free'`);
    await q.query(
      `CREATE INDEX macs_free_by_short_hostname ON macs (split_part(hostname, '.', 1)) WHERE state = 'free' AND hostname IS NOT NULL`,
    );
    // Partial indexes: a free row (the bulk of a pool, and all of a fresh upload) is indexed only
    // where free rows are looked for, which keeps million-row uploads cheap.
    await q.query(`CREATE UNIQUE INDEX macs_port_id ON macs (port_id) WHERE port_id IS NOT NULL`);
    await q.query(`CREATE INDEX macs_live_by_pool ON macs (pool_id, state) WHERE state <> 'free'`);
    await q.query(`CREATE INDEX macs_reservation_expiry ON macs (expires_at) WHERE state = 'reserved'`);
    await q.query(`CREATE INDEX macs_quarantine_end ON macs (available_since) WHERE state = 'quarantined'`);
    await q.query(`
      CREATE TABLE mac_history (
        id            bigserial PRIMARY KEY,
        at            timestamptz NOT NULL DEFAULT clock_timestamp(),
        mac           macaddr NOT NULL,
        pool          text NOT NULL,
        action        text NOT NULL CHECK (action IN ('reserved', 'committed', 'released', 'expired', 'quarantine_ended')),
        port_id       text,
        device_id     text,
        device_owner  text,
        project_id    text,
        network_id    text,
        actor         text NOT NULL
      )`);
    await q.query(`CREATE INDEX mac_history_by_mac ON mac_history (mac, at)`);
    await q.query(`CREATE INDEX mac_history_by_port ON mac_history (port_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE mac_history');
    await q.query('DROP TABLE macs');
    await q.query('DROP TYPE mac_state');
    await q.query('DROP TABLE pools');
  }
}
