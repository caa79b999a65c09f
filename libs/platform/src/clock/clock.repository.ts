import { Injectable } from '@nestjs/common';

/** The current time and waiting, where a decision depends on them (expiries, TOTP codes): injected, so a unit test can fix them. */
@Injectable()
export class ClockRepository {
  now(): Date {
    return new Date();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
