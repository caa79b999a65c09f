import { Injectable } from '@nestjs/common';
import { MacSearchField } from './dto/mac-search.query';
import { MacSearchResponseDto } from './dto/mac-search.response';
import { mergeMatches } from './mac-search';
import { MacSearchRepository } from './mac-search.repository';

/** Enough for a page; a search that matches more is narrowed by its author, not paged through. */
const MAX_MATCHES = 200;

@Injectable()
export class MacSearchService {
  constructor(private readonly repo: MacSearchRepository) {}

  async search(by: MacSearchField, value: string): Promise<MacSearchResponseDto> {
    const { current, past } = await this.repo.search(by, value, MAX_MATCHES);
    return mergeMatches(current, past, MAX_MATCHES);
  }
}
