import { Injectable } from '@nestjs/common';
import {
  Assertion,
  MappedProperties,
  MappingError,
  MappingOptions,
  MappingRules,
  processMapping,
  validateMapping,
} from '@app/keystone-mapping';
import { DomainError, AuditRepository, Principal } from '@app/platform';
import { LOGIN_MAPPING_OPTIONS } from './mapping-preview';
import { MappingRepository, MappingVersion } from './mapping.repository';

@Injectable()
export class MappingService {
  constructor(
    private readonly mappings: MappingRepository,
    private readonly audit: AuditRepository,
  ) {}

  async current(): Promise<MappingVersion> {
    const current = await this.mappings.current();
    if (!current) throw DomainError.notFound('no_mapping_rules', 'no mapping rules uploaded yet (PUT /v1/mapping)');
    return current;
  }

  history(limit = 100): Promise<MappingVersion[]> {
    return this.mappings.history(limit);
  }

  /** Stores a new version after Keystone's schema check; errors point at rule and field. */
  async replace(input: unknown, actor: Principal, comment?: string): Promise<MappingVersion> {
    const mapping = this.validated(input);
    const saved = await this.mappings.save(mapping.rules, actor.name, comment ?? null);
    await this.audit.record({
      actor: actor.name,
      action: 'mapping.replace',
      target: `version ${saved.version}`,
      details: { rules: mapping.rules.length },
    });
    return saved;
  }

  /** What Keystone would map this assertion to (with the given rules, or the stored ones). */
  test(rules: unknown | undefined, assertion: Assertion): Promise<MappedProperties> {
    return this.map(rules, assertion, {});
  }

  /**
   * What a login provisions: Keystone's result, except that the projects of every matching rule
   * count (Keystone keeps only the last rule's), so each IdP group can bring its own project.
   */
  forLogin(assertion: Assertion): Promise<MappedProperties> {
    return this.map(undefined, assertion, LOGIN_MAPPING_OPTIONS);
  }

  /** Candidate rules, validated (422 naming each problem), or the stored ones when none are given. */
  async rules(input?: unknown): Promise<MappingRules> {
    return input === undefined ? { rules: (await this.current()).rules } : this.validated(input);
  }

  private async map(rules: unknown | undefined, assertion: Assertion, options: MappingOptions): Promise<MappedProperties> {
    const mapping = rules === undefined ? { rules: (await this.current()).rules } : this.validated(rules);
    try {
      return processMapping(mapping, assertion, options);
    } catch (err) {
      if (err instanceof MappingError) throw DomainError.unprocessable(err.code, err.message);
      throw err;
    }
  }

  private validated(input: unknown): MappingRules {
    const v = validateMapping(input);
    if (!v.ok) {
      throw DomainError.unprocessable('invalid_mapping', `${v.problems.length} problem(s) in the mapping rules`, {
        problems: v.problems,
      });
    }
    return v.mapping;
  }
}
