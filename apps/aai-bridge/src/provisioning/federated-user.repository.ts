import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A known federated user as the preview and apply-now read them: stored attributes and recorded grants. */
export interface KnownUser {
  keystoneUserId: string;
  userName: string;
  idp: string | null;
  /** null: cleared by AAI_ATTRIBUTE_RETENTION_DAYS (the user is re-read at the next login). */
  attributes: Record<string, string[]> | null;
  /** The labels of what the bridge granted the user ("project cms: role member", "group g"). */
  granted: string[];
}

export interface DormantUser {
  keystoneUserId: string;
  userName: string;
  idp: string | null;
  lastSeenAt: Date;
  dormantSince: Date | null;
}

/** A known user as the users page lists it, with every grant the bridge recorded for them. */
export interface ListedUser extends DormantUser {
  grants: RecordedGrant[];
}

export interface RecordedGrant {
  kind: 'role' | 'group';
  /** Keystone ids: "<projectId>/<roleId>" for a role, "<groupId>" for a group. */
  target: string;
  /** The names: "project cms: role member", "group cms-users". */
  label: string;
  grantedAt: Date;
  /** The last login (or provisioning) that yielded the grant again; grant expiry counts from it. */
  refreshedAt: Date;
}

const DORMANT_COLUMNS = `keystone_user_id AS "keystoneUserId", user_name AS "userName", idp, last_seen_at AS "lastSeenAt", dormant_since AS "dormantSince"`;

/** What the bridge remembers per federated user (see the migration CreateFederatedUsers). */
@Injectable()
export class FederatedUserRepository {
  constructor(private readonly db: DataSource) {}

  /** A login (or an admin's provisioning): the attributes the rules read, the IdP, seen now, no longer dormant. */
  async seen(u: { keystoneUserId: string; userName: string; idp: string | null; attributes: Record<string, string[]>; at: Date }) {
    await this.db.query(
      `INSERT INTO federated_users (keystone_user_id, user_name, idp, attributes, last_seen_at, dormant_since)
       VALUES ($1, $2, $3, $4, $5, NULL)
       ON CONFLICT (keystone_user_id) DO UPDATE SET user_name = EXCLUDED.user_name, idp = EXCLUDED.idp,
         attributes = EXCLUDED.attributes, last_seen_at = EXCLUDED.last_seen_at, dormant_since = NULL`,
      [u.keystoneUserId, u.userName, u.idp, JSON.stringify(u.attributes), u.at],
    );
  }

  /**
   * The last full provisioning of a not dormant user named `userName`, if it happened after
   * `since` (the caller compares the fingerprint).
   */
  async lastProvisioning(userName: string, since: Date): Promise<Array<{ keystoneUserId: string; fingerprint: string; result: unknown }>> {
    return this.db.query(
      `SELECT keystone_user_id AS "keystoneUserId", provision_fingerprint AS fingerprint, provisioned_result AS result
       FROM federated_users
       WHERE user_name = $1 AND dormant_since IS NULL AND provision_fingerprint IS NOT NULL AND provisioned_at > $2`,
      [userName, since],
    );
  }

  /**
   * A repeated login that skipped Keystone, in one statement (one round trip, one commit): seen
   * now as \`seen\` records it, and every grant the bridge recorded for the user refreshed as a
   * full login refreshes the grants it yields again (grant expiry counts from refreshed_at).
   */
  async seenUnchanged(u: { keystoneUserId: string; userName: string; idp: string | null; attributes: Record<string, string[]>; at: Date }) {
    await this.db.query(
      `WITH refreshed AS (UPDATE keystone_grants SET refreshed_at = now() WHERE keystone_user_id = $1)
       UPDATE federated_users SET user_name = $2, idp = $3, attributes = $4, last_seen_at = $5, dormant_since = NULL
       WHERE keystone_user_id = $1`,
      [u.keystoneUserId, u.userName, u.idp, JSON.stringify(u.attributes), u.at],
    );
  }

  /** A full provisioning succeeded: what decided it (a fingerprint), what it answered, when. */
  async provisioned(keystoneUserId: string, fingerprint: string, result: unknown, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE federated_users SET provision_fingerprint = $2, provisioned_result = $3, provisioned_at = $4 WHERE keystone_user_id = $1`,
      [keystoneUserId, fingerprint, JSON.stringify(result), at],
    );
  }

  /** The bridge revoked or disabled: the next login of the user provisions in full. */
  async clearProvisioning(keystoneUserId: string): Promise<void> {
    await this.db.query(
      'UPDATE federated_users SET provision_fingerprint = NULL, provisioned_result = NULL, provisioned_at = NULL WHERE keystone_user_id = $1',
      [keystoneUserId],
    );
  }

  async isDormant(keystoneUserId: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM federated_users WHERE keystone_user_id = $1 AND dormant_since IS NOT NULL', [
      keystoneUserId,
    ]);
    return rows.length > 0;
  }

  /** Known users not dormant (those apply-now re-provisions). */
  async count(): Promise<number> {
    return Number((await this.db.query('SELECT count(*) AS n FROM federated_users WHERE dormant_since IS NULL'))[0].n);
  }

  /**
   * Known users after `cursor` (keystone_user_id order), with their recorded grant labels: one
   * query per batch (the preview reads everyone in batches of thousands).
   */
  async batchAfter(cursor: string | null, limit: number): Promise<KnownUser[]> {
    return this.db.query(
      `SELECT u.keystone_user_id AS "keystoneUserId", u.user_name AS "userName", u.idp, u.attributes,
              COALESCE((SELECT array_agg(g.label ORDER BY g.label) FROM keystone_grants g WHERE g.keystone_user_id = u.keystone_user_id), '{}') AS granted
       FROM federated_users u
       WHERE ($1::text IS NULL OR u.keystone_user_id > $1) AND u.dormant_since IS NULL
       ORDER BY u.keystone_user_id LIMIT $2`,
      [cursor, limit],
    );
  }

  async byIds(ids: string[]): Promise<KnownUser[]> {
    if (!ids.length) return [];
    return this.db.query(
      `SELECT u.keystone_user_id AS "keystoneUserId", u.user_name AS "userName", u.idp, u.attributes, '{}'::text[] AS granted
       FROM federated_users u WHERE u.keystone_user_id = ANY($1) ORDER BY u.keystone_user_id`,
      [ids],
    );
  }

  /**
   * One page of known users (dormant ones too) by user name, optionally those whose name contains
   * `nameContains` (case-insensitive, taken literally), each with the grants the bridge recorded,
   * and how many users match in all.
   */
  async page(nameContains: string | null, limit: number, offset: number): Promise<{ total: number; users: ListedUser[] }> {
    const pattern = nameContains === null ? null : `%${nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = '($1::text IS NULL OR u.user_name ILIKE $1)';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM federated_users u WHERE ${where}`, [pattern]);
    const users: ListedUser[] = await this.db.query(
      `SELECT u.keystone_user_id AS "keystoneUserId", u.user_name AS "userName", u.idp, u.last_seen_at AS "lastSeenAt",
              u.dormant_since AS "dormantSince",
              COALESCE((SELECT json_agg(json_build_object('kind', g.kind, 'target', g.target, 'label', g.label,
                                                          'grantedAt', g.granted_at, 'refreshedAt', g.refreshed_at) ORDER BY g.label)
                        FROM keystone_grants g WHERE g.keystone_user_id = u.keystone_user_id), '[]') AS grants
       FROM federated_users u WHERE ${where}
       ORDER BY u.user_name, u.keystone_user_id LIMIT $2 OFFSET $3`,
      [pattern, limit, offset],
    );
    // json_agg gives the timestamps as strings.
    for (const u of users)
      u.grants = u.grants.map((g) => ({ ...g, grantedAt: new Date(g.grantedAt), refreshedAt: new Date(g.refreshedAt) }));
    return { total, users };
  }

  /** Users not seen since the cutoff and not yet dormant: the next to disable. */
  async notSeenSince(cutoff: Date, limit: number): Promise<DormantUser[]> {
    return this.db.query(
      `SELECT ${DORMANT_COLUMNS} FROM federated_users WHERE last_seen_at < $1 AND dormant_since IS NULL ORDER BY last_seen_at LIMIT $2`,
      [cutoff, limit],
    );
  }

  /** Dormant users not seen since the cutoff: the next to delete. */
  async dormantNotSeenSince(cutoff: Date, limit: number): Promise<DormantUser[]> {
    return this.db.query(
      `SELECT ${DORMANT_COLUMNS} FROM federated_users WHERE last_seen_at < $1 AND dormant_since IS NOT NULL ORDER BY last_seen_at LIMIT $2`,
      [cutoff, limit],
    );
  }

  async dormant(limit: number): Promise<DormantUser[]> {
    return this.db.query(`SELECT ${DORMANT_COLUMNS} FROM federated_users WHERE dormant_since IS NOT NULL ORDER BY last_seen_at LIMIT $1`, [
      limit,
    ]);
  }

  /** false: already dormant (the other node's sweep got there first). */
  async markDormant(keystoneUserId: string, at: Date): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE federated_users SET dormant_since = $2, provision_fingerprint = NULL, provisioned_result = NULL, provisioned_at = NULL
       WHERE keystone_user_id = $1 AND dormant_since IS NULL`,
      [keystoneUserId, at],
    );
    return count === 1;
  }

  /** A user deleted from Keystone: nothing of theirs stays (attributes, grant records, held secrets). */
  async forget(keystoneUserId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query('DELETE FROM keystone_grants WHERE keystone_user_id = $1', [keystoneUserId]);
      await m.query('DELETE FROM issued_app_credentials WHERE keystone_user_id = $1', [keystoneUserId]);
      await m.query('DELETE FROM user_secrets WHERE keystone_user_id = $1', [keystoneUserId]);
      await m.query('DELETE FROM federated_users WHERE keystone_user_id = $1', [keystoneUserId]);
    });
  }

  /** AAI_ATTRIBUTE_RETENTION_DAYS: attributes of users not seen since the cutoff are dropped. */
  async clearAttributesNotSeenSince(cutoff: Date): Promise<number> {
    const [, count] = await this.db.query(
      'UPDATE federated_users SET attributes = NULL WHERE last_seen_at < $1 AND attributes IS NOT NULL',
      [cutoff],
    );
    return count;
  }
}
