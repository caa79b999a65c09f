import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MappingRules } from '@app/keystone-mapping';

export interface MappingVersion {
  version: number;
  rules: MappingRules['rules'];
  actor: string;
  comment: string | null;
  createdAt: Date;
}

const COLUMNS = `version, rules, actor, comment, created_at AS "createdAt"`;

@Injectable()
export class MappingRepository {
  constructor(private readonly db: DataSource) {}

  async current(): Promise<MappingVersion | null> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM mapping_versions ORDER BY version DESC LIMIT 1`);
    return rows[0] ?? null;
  }

  async history(limit: number): Promise<MappingVersion[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM mapping_versions ORDER BY version DESC LIMIT $1`, [limit]);
  }

  async save(rules: MappingRules['rules'], actor: string, comment: string | null): Promise<MappingVersion> {
    const rows = await this.db.query(`INSERT INTO mapping_versions (rules, actor, comment) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`, [
      JSON.stringify(rules),
      actor,
      comment,
    ]);
    return rows[0];
  }
}
