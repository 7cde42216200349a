import type { FastifyError } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { authRateLimit } from '../rate-limits/rate-limit.ts';
import { grantToken, OAuthError } from './oauth.ts';

const TokenForm = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ maxLength: 100 })),
    scope: Type.Optional(Type.String({ maxLength: 1000 })),
    client_assertion_type: Type.Optional(Type.String({ maxLength: 200 })),
    client_assertion: Type.Optional(Type.String({ maxLength: 8000 })),
  },
  { additionalProperties: true },
);

const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.String() });

/** POST /oauth/token: the client credentials grant for clinic systems (RFC 6749 §4.4, RFC 7523). */
export const oauthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Forms only here (RFC 6749 §4.4.2); URLSearchParams is the standard's own parser.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });

  app.post(
    '/oauth/token',
    {
      schema: {
        tags: ['integrations'],
        summary: 'OAuth 2.0 client credentials: an access token (10 minutes) for a clinic system',
        description:
          'Form-encoded. Authenticate with HTTP Basic (client_secret_basic) or with client_assertion_type=' +
          'urn:ietf:params:oauth:client-assertion-type:jwt-bearer and a client_assertion signed by the registered key ' +
          '(private_key_jwt: iss = sub = client id, aud = this URL, exp within 5 minutes, a unique jti).',
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenForm,
        response: {
          200: Type.Object({ access_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer(), scope: Type.String() }),
          400: OAuthErrorBody,
          401: OAuthErrorBody,
        },
      },
      config: authRateLimit(ctx),
      // A body that is no valid token form is an RFC 6749 invalid_request, in the shape the 400
      // schema promises; anything else (429, 503) goes on to the app's own error handler.
      errorHandler: (error: FastifyError, _request, reply) => {
        if (error.validation || error.code.startsWith('FST_ERR_CTP')) {
          void reply.status(400).send({
            error: 'invalid_request',
            error_description: 'Send a form (application/x-www-form-urlencoded) with grant_type=client_credentials.',
          });
          return;
        }
        throw error;
      },
    },
    async (request, reply) => {
      void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      const form: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(request.body)) if (typeof value === 'string') form[key] = value;
      try {
        return await grantToken(ctx, { authorization: request.headers.authorization, form });
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        if (error.status === 401 && error.basic) void reply.header('WWW-Authenticate', 'Basic realm="patientportal"');
        return reply.status(error.status).send({ error: error.error, error_description: error.description });
      }
    },
  );
};
