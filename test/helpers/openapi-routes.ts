/** Walks the server's OpenAPI document, so a test covers every route, also ones added later. */
export interface JsonSchema {
  type?: string;
  format?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}
export interface Operation {
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

/** The smallest value the schema accepts, so a request gets past validation to the handler's checks. */
export function minimal(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return minimal(schema.anyOf[0]!);
  switch (schema.type ?? 'null') {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, minimal(schema.properties?.[key] ?? {})]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => minimal(schema.items ?? {}));
    case 'string':
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (schema.format === 'date-time') return '2030-01-01T10:00:00.000Z';
      if (schema.format === 'date') return '2030-01-01';
      if (schema.format === 'email') return 'someone@example.test';
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
}

export const bodyFor = (operation: Operation) => {
  const schema = operation.requestBody?.content['application/json']?.schema;
  return schema ? minimal(schema) : undefined;
};
