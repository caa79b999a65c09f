import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface IssuedCredential {
  credentialId: string;
  keystoneUserId: string;
  projectId: string;
}

/** The application credentials the bridge issued (ids, never secrets). */
@Injectable()
export class IssuedCredentialRepository {
  constructor(private readonly db: DataSource) {}

  async record(c: IssuedCredential & { name: string; expiresAt: Date }): Promise<void> {
    await this.db.query(
      `INSERT INTO issued_app_credentials (credential_id, keystone_user_id, project_id, name, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (credential_id) DO NOTHING`,
      [c.credentialId, c.keystoneUserId, c.projectId, c.name, c.expiresAt],
    );
  }

  /** On the given projects, or on all when projectIds is undefined. */
  async forUser(keystoneUserId: string, projectIds?: string[]): Promise<IssuedCredential[]> {
    return this.db.query(
      `SELECT credential_id AS "credentialId", keystone_user_id AS "keystoneUserId", project_id AS "projectId"
       FROM issued_app_credentials WHERE keystone_user_id = $1 AND ($2::text[] IS NULL OR project_id = ANY($2))`,
      [keystoneUserId, projectIds ?? null],
    );
  }

  async forget(credentialId: string): Promise<void> {
    await this.db.query('DELETE FROM issued_app_credentials WHERE credential_id = $1', [credentialId]);
  }
}
