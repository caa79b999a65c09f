/** JSON Schema as the OpenAPI document writes it (the subset the DTOs use). */
export interface Schema {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  nullable?: boolean;
  example?: unknown;
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One route as the fuzzer drives it. */
export interface Endpoint {
  method: Method;
  /** With {name} placeholders, e.g. /v1/pools/{name}. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; type: string }>;
  /** The body the route reads: parsed JSON (with its DTO schema when it has one), a form, or a stream it reads itself. */
  body?: { kind: 'json' | 'form' | 'stream'; schema?: Schema; contentTypes: string[] };
  /** Needs a bearer token (the document's `security`). */
  secured: boolean;
  /** Served by Express beside Nest (the OpenAPI document): only the body parser sees its requests. */
  outsideNest?: boolean;
}

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string; schema?: { type?: string } }>;
  requestBody?: { content: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** A DTO schema with every $ref replaced by its definition (the DTOs nest only a few levels). */
function resolve(schema: Schema | undefined, doc: OpenApiDocument, depth = 0): Schema | undefined {
  if (!schema || depth > 8) return schema;
  if (schema.$ref) return resolve(doc.components?.schemas?.[schema.$ref.split('/').pop()!], doc, depth + 1);
  const out: Schema = { ...schema };
  if (schema.properties)
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolve(v, doc, depth + 1)!]));
  if (schema.items) out.items = resolve(schema.items, doc, depth + 1);
  return out;
}

/** Every operation of an app's OpenAPI document (`/docs-json`). */
export function endpointsOf(doc: OpenApiDocument): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const contentTypes = Object.keys(content);
      const json = contentTypes.find((c) => /json/.test(c));
      let body: Endpoint['body'];
      if (contentTypes.length && contentTypes.some((c) => c.startsWith('text/'))) body = { kind: 'stream', contentTypes };
      else if (json) body = { kind: 'json', schema: resolve(content[json].schema, doc), contentTypes };
      else if (contentTypes.length) body = { kind: 'form', schema: resolve(content[contentTypes[0]].schema, doc), contentTypes };
      endpoints.push({
        method: method as Method,
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, type: p.schema?.type ?? 'string' })),
        body,
        secured: (op.security ?? []).length > 0,
      });
    }
  }
  return endpoints;
}

export const routeName = (e: Pick<Endpoint, 'method' | 'path'>): string => `${e.method.toUpperCase()} ${e.path}`;
