import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { clinicSystemScheme, declareRouteSecurity } from '../features/integrations/openapi-security.ts';

/** OpenAPI 3 from the route schemas: JSON at /api/docs/json, a browsable page at /api/docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Patientportal API',
        version: '0.1.0',
        description:
          'The JSON API behind the web UI, for clinic systems (EPJ) as well. Staff authenticate with ' +
          'POST /api/auth/login (session cookie); every state change must carry the X-CSRF-Token header ' +
          'from the session. Errors are `{ error: { code, message: { da, en }, field? } }`.',
      },
      components: {
        securitySchemes: {
          staffSession: { type: 'apiKey', in: 'cookie', name: 'pp_staff_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
          clinicSystem: clinicSystemScheme,
        },
      },
    },
    transform: declareRouteSecurity,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
}
