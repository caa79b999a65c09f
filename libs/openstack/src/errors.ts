import { DomainError } from '@app/platform/errors/domain-error';

/**
 * Keystone refused, answered nonsense or could not be reached; the message names the call and
 * Keystone's own words. `status` is Keystone's HTTP status (0 when none): callers decide on it,
 * e.g. a user's login refused with 401 means their credential is gone.
 */
export class KeystoneError extends DomainError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super('upstream', 'keystone_error', message);
  }
}

/** Keystone's explanation out of an error answer: its JSON error.message, else the start of the body. */
export async function keystoneErrorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
