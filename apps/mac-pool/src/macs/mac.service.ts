import { Injectable } from '@nestjs/common';
import { MacFormatError, normaliseMac } from '@app/mac';
import { DomainError, parseIsoTime } from '@app/platform';
import { HistoryEvent, Holding, holderAt, holdingsOf } from './holders';
import { MacRecord, MacRepository } from './mac.repository';

export interface MacHistory {
  mac: string;
  events: HistoryEvent[];
  holdings: Holding[];
  /** Present when asked `?at=`: who held the MAC then (null: nobody). */
  at?: { time: Date; holder: Holding | null };
}

@Injectable()
export class MacService {
  constructor(private readonly macs: MacRepository) {}

  async get(spelling: string): Promise<MacRecord> {
    const mac = canonical(spelling);
    const record = await this.macs.find(mac);
    if (!record) throw DomainError.notFound('mac_not_found', `${mac} is in no pool`);
    return record;
  }

  /** Works also for MACs no longer in any pool: history outlives the pool entry. */
  async history(spelling: string, at?: string): Promise<MacHistory> {
    const mac = canonical(spelling);
    let time: Date | undefined;
    if (at !== undefined) {
      time = parseIsoTime(at);
      if (Number.isNaN(time.getTime())) throw DomainError.invalid('invalid_time', `at: ${JSON.stringify(at)} is not an ISO 8601 time`);
    }
    const events = await this.macs.history(mac);
    const holdings = holdingsOf(events);
    return { mac, events, holdings, ...(time ? { at: { time, holder: holderAt(holdings, time) } } : {}) };
  }
}

// Lookups accept any MAC spelling, also multicast/universal ones: validity rules are for uploads.
function canonical(spelling: string): string {
  try {
    return normaliseMac(spelling, { allowUniversal: true });
  } catch (err) {
    if (err instanceof MacFormatError && err.reason === 'invalid_format') throw DomainError.invalid('invalid_mac', err.message);
    if (err instanceof MacFormatError) throw DomainError.notFound('mac_not_found', `${spelling} can't be in a pool (${err.reason})`);
    throw err;
  }
}
