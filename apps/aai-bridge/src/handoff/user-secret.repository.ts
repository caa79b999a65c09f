import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class UserSecretRepository {
  constructor(private readonly db: DataSource) {}

  async find(keystoneUserId: string): Promise<{ sealedSecret: string; credentialId: string } | null> {
    const rows = await this.db.query(
      'SELECT sealed_secret AS "sealedSecret", credential_id AS "credentialId" FROM user_secrets WHERE keystone_user_id = $1',
      [keystoneUserId],
    );
    return rows[0] ?? null;
  }

  /** false when another node stored one first (then use that one). */
  async save(keystoneUserId: string, sealedSecret: string, credentialId: string): Promise<boolean> {
    const rows = await this.db.query(
      'INSERT INTO user_secrets (keystone_user_id, sealed_secret, credential_id) VALUES ($1, $2, $3) ON CONFLICT (keystone_user_id) DO NOTHING RETURNING 1',
      [keystoneUserId, sealedSecret, credentialId],
    );
    return rows.length === 1;
  }

  async delete(keystoneUserId: string): Promise<void> {
    await this.db.query('DELETE FROM user_secrets WHERE keystone_user_id = $1', [keystoneUserId]);
  }
}
