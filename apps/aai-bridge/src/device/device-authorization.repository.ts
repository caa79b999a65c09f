import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { batchDeleteSql } from '@app/platform/housekeeping/batch-delete';

export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'issuing' | 'consumed';

/** One CLI login waiting for (or given) a user's approval in a browser. */
export interface DeviceAuthorization {
  deviceCodeHash: string;
  userCodeHash: string;
  requestedProject: string | null;
  cloudName: string | null;
  status: DeviceStatus;
  intervalSeconds: number;
  lastPollAt: Date | null;
  keystoneUserId: string | null;
  userName: string | null;
  projectId: string | null;
  projectName: string | null;
  expiresAt: Date;
}

const COLUMNS = `device_code_hash AS "deviceCodeHash", user_code_hash AS "userCodeHash", requested_project AS "requestedProject",
  cloud_name AS "cloudName", status, interval_seconds AS "intervalSeconds", last_poll_at AS "lastPollAt",
  keystone_user_id AS "keystoneUserId", user_name AS "userName", project_id AS "projectId", project_name AS "projectName",
  expires_at AS "expiresAt"`;

@Injectable()
export class DeviceAuthorizationRepository {
  constructor(private readonly db: DataSource) {}

  /** false: the user code is taken (a collision: the caller draws another). */
  async create(
    a: Pick<DeviceAuthorization, 'deviceCodeHash' | 'userCodeHash' | 'requestedProject' | 'cloudName' | 'intervalSeconds' | 'expiresAt'>,
  ) {
    const rows = await this.db.query(
      `INSERT INTO device_authorizations (device_code_hash, user_code_hash, requested_project, cloud_name, status, interval_seconds, expires_at)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
      [a.deviceCodeHash, a.userCodeHash, a.requestedProject, a.cloudName, a.intervalSeconds, a.expiresAt],
    );
    return rows.length === 1;
  }

  async byDeviceCode(hash: string): Promise<DeviceAuthorization | null> {
    return (await this.db.query(`SELECT ${COLUMNS} FROM device_authorizations WHERE device_code_hash = $1`, [hash]))[0] ?? null;
  }

  async byUserCode(hash: string): Promise<DeviceAuthorization | null> {
    return (await this.db.query(`SELECT ${COLUMNS} FROM device_authorizations WHERE user_code_hash = $1`, [hash]))[0] ?? null;
  }

  async polled(deviceCodeHash: string, at: Date, intervalSeconds: number): Promise<void> {
    await this.db.query('UPDATE device_authorizations SET last_poll_at = $2, interval_seconds = $3 WHERE device_code_hash = $1', [
      deviceCodeHash,
      at,
      intervalSeconds,
    ]);
  }

  /** The user's answer, once, while pending and unexpired; false otherwise. */
  async decide(
    userCodeHash: string,
    now: Date,
    d: { status: 'approved' | 'denied'; keystoneUserId: string; userName: string; projectId: string | null; projectName: string | null },
  ): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE device_authorizations SET status = $3, keystone_user_id = $4, user_name = $5, project_id = $6, project_name = $7
       WHERE user_code_hash = $1 AND status = 'pending' AND expires_at > $2`,
      [userCodeHash, now, d.status, d.keystoneUserId, d.userName, d.projectId, d.projectName],
    );
    return count === 1;
  }

  /** An approved authorization claimed by one poll (single use even when two polls race). */
  async claim(deviceCodeHash: string): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE device_authorizations SET status = 'issuing' WHERE device_code_hash = $1 AND status = 'approved'`,
      [deviceCodeHash],
    );
    return count === 1;
  }

  /** After the credential: consumed; after a failure: approved again (the next poll retries). */
  async issued(deviceCodeHash: string, ok: boolean): Promise<void> {
    await this.db.query(`UPDATE device_authorizations SET status = $2 WHERE device_code_hash = $1 AND status = 'issuing'`, [
      deviceCodeHash,
      ok ? 'consumed' : 'approved',
    ]);
  }

  async failuresSince(keystoneUserId: string, since: Date): Promise<number> {
    const rows = await this.db.query(
      'SELECT count(*)::int AS n FROM device_verification_failures WHERE keystone_user_id = $1 AND failed_at > $2',
      [keystoneUserId, since],
    );
    return rows[0].n;
  }

  async failed(keystoneUserId: string, at: Date): Promise<void> {
    await this.db.query('INSERT INTO device_verification_failures (keystone_user_id, failed_at) VALUES ($1, $2)', [keystoneUserId, at]);
  }

  /** At most `limit` authorizations expired before `before` deleted (housekeeping batches). */
  async purgeExpired(before: Date, limit: number): Promise<number> {
    return (await this.db.query(batchDeleteSql('device_authorizations', 'expires_at < $2', '$1'), [limit, before]))[0].n;
  }

  /** At most `limit` wrong-code records older than `before` deleted (they count for ten minutes). */
  async purgeFailures(before: Date, limit: number): Promise<number> {
    return (await this.db.query(batchDeleteSql('device_verification_failures', 'failed_at < $2', '$1'), [limit, before]))[0].n;
  }
}
