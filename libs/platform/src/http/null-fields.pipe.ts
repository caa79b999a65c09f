import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

const NULLABLE_KEY = Symbol('nullable-fields');

/**
 * Marks a DTO field that may be sent as JSON null (e.g. to clear it). Without it null is refused:
 * class-validator's @IsOptional lets null through, and a service expecting "absent or a value"
 * would crash on it or store it.
 */
export const Nullable = (): PropertyDecorator => (target, property) => {
  const own: Set<string | symbol> =
    Reflect.getOwnMetadata(NULLABLE_KEY, target) ?? new Set(Reflect.getMetadata(NULLABLE_KEY, target) ?? []);
  own.add(property);
  Reflect.defineMetadata(NULLABLE_KEY, own, target);
};

function isNullable(instance: object, property: string): boolean {
  return (Reflect.getMetadata(NULLABLE_KEY, Object.getPrototypeOf(instance)) as Set<string> | undefined)?.has(property) ?? false;
}

const isDto = (v: unknown): v is object =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype && !(v instanceof Date);

/**
 * Global pipe after the ValidationPipe (which has turned the body into DTO instances, nested ones
 * too): refuses every null field the DTO does not mark @Nullable(), naming each.
 */
@Injectable()
export class NullFieldsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' || !isDto(value)) return value;
    const problems: string[] = [];
    const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
    while (stack.length) {
      const { value: v, path } = stack.pop()!;
      if (Array.isArray(v)) {
        v.forEach((element, i) => stack.push({ value: element, path: `${path}[${i}]` }));
      } else if (isDto(v)) {
        for (const [key, inner] of Object.entries(v)) {
          const field = path ? `${path}.${key}` : key;
          if (inner === null && !isNullable(v, key)) problems.push(`${field} must not be null (leave it out instead)`);
          else if (inner !== null && typeof inner === 'object') stack.push({ value: inner, path: field });
        }
      }
    }
    problems.sort();
    if (problems.length) throw ApiError.badRequest('validation_failed', problems.join('; '), problems);
    return value;
  }
}
