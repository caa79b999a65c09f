import { CanActivate, ExecutionContext, Injectable, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { getMetadataStorage } from 'class-validator';
import { fieldPath, findTextProblem } from './input-text';
import { ApiError } from '../errors/api-error';

/** What a handler reads from the query string: these names, or anything (it takes a plain object). */
type DeclaredQuery = { names: Set<string>; lists: Set<string> } | 'any';

interface RouteArg {
  index: number;
  data?: unknown;
}

const SHOWN_NAMES = 10;

/**
 * Global guard, runs after AuthGuard: refuses input a handler would misread or PostgreSQL would
 * choke on, before any pipe or query sees it.
 * - Query names the handler does not declare (its @Query('x') params, or the properties of its
 *   @Query() DTO): a typo like `?dryrun=true` must not silently do the real thing.
 * - A declared scalar given twice (`?at=a&at=b` arrives as a list).
 * - NUL characters and lone surrogates in path parameters, query values and parsed bodies.
 */
@Injectable()
export class RequestInputGuard implements CanActivate {
  private readonly declared = new WeakMap<Function, DeclaredQuery>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    // Express's request and Fastify's both carry these three, parsed.
    const req = context.switchToHttp().getRequest<{ params?: unknown; query?: unknown; body?: unknown }>();
    const query = (req.query ?? {}) as Record<string, unknown>;
    this.checkQueryNames(query, this.declaredQuery(context.getClass(), context.getHandler()));
    for (const [where, value] of [
      ['path parameter', req.params],
      ['query parameter', query],
      // Streamed bodies (uploads) are not parsed here: their readers check their own lines.
      ['body field', typeof req.body === 'object' ? req.body : undefined],
    ] as const) {
      const found = findTextProblem(value);
      if (!found) continue;
      const field = found.field || '(the body)';
      throw ApiError.badRequest('invalid_text', `${where} ${field} ${found.problem}`, { field, in: where.split(' ')[0] });
    }
    return true;
  }

  private checkQueryNames(query: Record<string, unknown>, declared: DeclaredQuery): void {
    if (declared === 'any') return;
    const unknown = Object.keys(query).filter((name) => !declared.names.has(name));
    if (unknown.length) {
      const shown = unknown.slice(0, SHOWN_NAMES).map((n) => fieldPath('', n));
      const takes = declared.names.size ? `this route takes ${[...declared.names].join(', ')}` : 'this route takes none';
      throw ApiError.badRequest(
        'unknown_query_parameter',
        `unknown query parameter${unknown.length > 1 ? 's' : ''} ${shown.join(', ')}${unknown.length > SHOWN_NAMES ? ', …' : ''} (${takes})`,
        { unknown: shown, allowed: [...declared.names] },
      );
    }
    for (const [name, value] of Object.entries(query)) {
      if (Array.isArray(value) && !declared.lists.has(name)) {
        throw ApiError.badRequest('repeated_query_parameter', `query parameter ${fieldPath('', name)} is given more than once`, {
          field: name,
        });
      }
    }
  }

  private declaredQuery(controller: Type<unknown>, handler: Function): DeclaredQuery {
    let declared = this.declared.get(handler);
    if (!declared) {
      declared = readDeclaredQuery(controller, handler.name);
      this.declared.set(handler, declared);
    }
    return declared;
  }
}

/** From Nest's route-argument metadata (what @Query() records) and the parameters' design types. */
function readDeclaredQuery(controller: Type<unknown>, method: string): DeclaredQuery {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, RouteArg>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? []) as unknown[];
  const names = new Set<string>();
  const lists = new Set<string>();
  for (const [key, arg] of Object.entries(args)) {
    if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY) continue;
    const type = types[arg.index];
    if (typeof arg.data === 'string') {
      names.add(arg.data);
      if (type === Array) lists.add(arg.data);
      continue;
    }
    // The whole query: a DTO declares its names (and which are lists); a plain object takes any.
    const properties = typeof type === 'function' && type !== Object ? dtoProperties(type) : null;
    if (!properties) return 'any';
    for (const p of properties.names) names.add(p);
    for (const p of properties.lists) lists.add(p);
  }
  return { names, lists };
}

function dtoProperties(dto: Function): { names: string[]; lists: string[] } | null {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  if (!metadata.length) return null;
  const names = [...new Set(metadata.map((m) => m.propertyName))];
  const lists = [...new Set(metadata.filter((m) => m.each || m.name === 'isArray').map((m) => m.propertyName))];
  return { names, lists };
}
