import { Inject, Injectable } from '@nestjs/common';
import { AaiBridgeConfig } from '../config';
import { FederatedUserRepository, ListedUser, RecordedGrant } from './federated-user.repository';

export interface UserGrant extends RecordedGrant {
  /**
   * When the grant expiry sweep revokes it unless a login yields it again: AAI_GRANT_EXPIRY_DAYS
   * after it was last refreshed (the hourly sweep may act up to an hour later); null when grants
   * do not expire (AAI_GRANT_EXPIRY_DAYS=0).
   */
  expiresAt: Date | null;
}

export interface FederatedUserView extends Omit<ListedUser, 'grants'> {
  grants: UserGrant[];
}

export interface FederatedUsersPage {
  users: FederatedUserView[];
  /** Users matching the filter, over every page. */
  total: number;
  limit: number;
  offset: number;
}

/** The federated users the bridge knows, and what it granted each, for the users page. */
@Injectable()
export class FederatedUsersService {
  constructor(
    private readonly users: FederatedUserRepository,
    @Inject(AaiBridgeConfig) private readonly config: AaiBridgeConfig,
  ) {}

  async list(query: { q?: string; limit: number; offset: number }): Promise<FederatedUsersPage> {
    const filter = query.q?.trim() || null;
    const { total, users } = await this.users.page(filter, query.limit, query.offset);
    return {
      users: users.map((u) => ({ ...u, grants: u.grants.map((g) => ({ ...g, expiresAt: this.expiryOf(g) })) })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  /** The same cutoff the grant expiry sweep applies: revoked once refreshed_at < now − AAI_GRANT_EXPIRY_DAYS. */
  private expiryOf(grant: RecordedGrant): Date | null {
    const days = this.config.AAI_GRANT_EXPIRY_DAYS;
    return days > 0 ? new Date(grant.refreshedAt.getTime() + days * 86_400_000) : null;
  }
}
