import { SetMetadata } from '@nestjs/common';

/** admin: everything; hook: the allocation API (Neutron's plugin); reader: read-only. */
export const ROLES = ['admin', 'hook', 'reader'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  name: string;
  role: Role;
}

export const PUBLIC_KEY = 'auth:public';
export const ROLES_KEY = 'auth:roles';

/** No token needed (health, metrics, docs). Never put this on a write endpoint. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Roles allowed besides admin, which may do anything. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
