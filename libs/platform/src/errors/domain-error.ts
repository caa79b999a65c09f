/**
 * What went wrong, said in the domain's words: services, repositories and clients throw these and
 * never an HTTP status; the one error filter maps each kind to its status. No Nest here, so pure
 * libraries (the OpenStack client) can throw them too.
 */
export type DomainErrorKind =
  | 'invalid' // the request itself is malformed or names something impossible
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict' // the state forbids it now (exists already, in use, exhausted)
  | 'unprocessable' // well-formed but refused (bad lines of an upload, rules Keystone would refuse)
  | 'too_large'
  | 'upstream' // a peer (Keystone, Neutron, the IdP) refused or answered nonsense
  | 'unavailable'; // a dependency is down right now; retrying later may work

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable machine-readable code, e.g. pool_exhausted. */
    readonly code: string,
    message: string,
    /** Lists that help the caller fix it: bad lines, pools tried, rule problems. */
    readonly details?: unknown,
  ) {
    super(message);
  }

  static invalid(code: string, message: string, details?: unknown) {
    return new DomainError('invalid', code, message, details);
  }
  static notFound(code: string, message: string, details?: unknown) {
    return new DomainError('not_found', code, message, details);
  }
  static conflict(code: string, message: string, details?: unknown) {
    return new DomainError('conflict', code, message, details);
  }
  static unprocessable(code: string, message: string, details?: unknown) {
    return new DomainError('unprocessable', code, message, details);
  }
  static upstream(code: string, message: string, details?: unknown) {
    return new DomainError('upstream', code, message, details);
  }
  static unavailable(code: string, message: string, details?: unknown) {
    return new DomainError('unavailable', code, message, details);
  }
}
