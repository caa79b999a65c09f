import { Injectable } from '@nestjs/common';

/** A service's own condition for taking traffic: null when fine, else why not. */
export type ReadinessCheck = () => string | null;

/**
 * Conditions a service adds to /health/ready beyond the platform's (database, migrations), e.g.
 * aai-bridge's "some IdP metadata is still valid". Pacemaker's monitor reads /health/ready, so a
 * node that cannot serve logins stops looking healthy.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): Array<[string, ReadinessCheck]> {
    return [...this.checks.entries()];
  }
}
