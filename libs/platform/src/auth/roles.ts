import { SetMetadata } from '@nestjs/common';

/**
 * Roles are the service's own (declared in PlatformOptions.roles); the platform knows only
 * `admin`, which every service has and which may do everything.
 */
export const ADMIN_ROLE = 'admin';
export type Role = string;

export interface Principal {
  name: string;
  role: Role;
}

export const PUBLIC_KEY = 'auth:public';
export const ROLES_KEY = 'auth:roles';
/** Injection token: the roles the running service declared (admin first). */
export const SERVICE_ROLES = Symbol('SERVICE_ROLES');

/** No token needed (health, metrics, docs). Never put this on a write endpoint. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Roles allowed besides admin, which may do anything. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
