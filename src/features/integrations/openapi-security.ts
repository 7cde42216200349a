import type { FastifySchema, RouteOptions } from 'fastify';
import { scopeLabels, SCOPES } from './scopes.ts';
import { scopeForRoute } from './route-scopes.ts';

/** The OAuth 2.0 client credentials scheme of clinic systems, with every scope described. */
export const clinicSystemScheme = {
  type: 'oauth2' as const,
  description: 'Clinic systems (EPJ): client credentials with client_secret_basic or private_key_jwt (RFC 7523).',
  flows: {
    clientCredentials: {
      tokenUrl: '/oauth/token',
      scopes: Object.fromEntries(SCOPES.map((s) => [s, scopeLabels[s]])),
    },
  },
};

/**
 * swagger `transform`: a route open to integrations declares both ways in (the staff session with its
 * CSRF header, or a bearer token with the route's scope), read from the same table the server enforces.
 */
export function declareRouteSecurity({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }): {
  schema: FastifySchema;
  url: string;
} {
  const method = Array.isArray(route.method) ? route.method[0] : route.method;
  const scope = method === undefined ? undefined : scopeForRoute(method, route.url);
  if (!scope) return { schema, url };
  return { schema: { ...schema, security: [{ staffSession: [], csrf: [] }, { clinicSystem: [scope] }] }, url };
}
