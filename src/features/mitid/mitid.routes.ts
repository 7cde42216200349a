import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { cookieSettings } from '../../http/staff-auth.ts';
import { patientCookie } from '../../http/patient-auth.ts';
import { findPatientSession } from '../patient-auth/patient-sessions.ts';
import { completeStepUp } from './mitid-stepup.ts';
import { rememberWaitingRequests, waitingRequests } from './mitid-waiting.ts';
import { clinicAcceptsMitid } from '../registration/decide-registration.ts';
import { IDENTITY_TTL_MS, finishMitidFlow, rememberIdentity, startMitidFlow } from './mitid-flow.ts';
import { loginWithMitid } from './mitid-login.ts';
import { authRateLimit } from '../rate-limits/rate-limit.ts';
import { clinicBySlug, slugOfClinic } from '../registration/registration.repository.ts';

export function mitidCookies(ctx: AppContext) {
  const base = cookieSettings(ctx);
  return {
    flow: { name: base.name.replace('staff_session', 'mitid_flow'), options: base.options },
    identity: { name: base.name.replace('staff_session', 'mitid_identity'), options: base.options },
  };
}

/**
 * MitID through the broker. The browser is redirected, so errors become a redirect back to the
 * page the patient came from, with a stable error code in the query for the page to explain.
 */
export const mitidRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const cookies = mitidCookies(ctx);

  app.get(
    '/api/mitid/start',
    {
      schema: {
        tags: ['mitid'],
        summary: 'Redirects to the MitID broker (login, or registration at a clinic)',
        querystring: Type.Object({
          purpose: Type.Union([Type.Literal('login'), Type.Literal('register'), Type.Literal('stepup')]),
          clinic: Type.Optional(Type.String({ maxLength: 100 })),
          /** For purpose=stepup: the profile action the logged-in patient confirms with MitID. */
          action: Type.Optional(Type.Union([Type.Literal('delete_login'), Type.Literal('change_email'), Type.Literal('give_fuldmagt')])),
        }),
      },
      config: authRateLimit(ctx),
    },
    async (request, reply) => {
      const { purpose, clinic: slug, action } = request.query;
      const back = purpose === 'register' && slug ? `/portal/register/${encodeURIComponent(slug)}` : purpose === 'stepup' ? '/portal/profile' : '/portal/login';
      if (!ctx.mitid) return reply.redirect(`${back}?mitid=unavailable`);
      if (purpose === 'stepup') {
        // A step-up belongs to the patient session that asks for it.
        const token = request.cookies[patientCookie(ctx).name];
        const found = token ? await findPatientSession(ctx.db, token, ctx.clock.now(), ctx.sessionPolicy) : { status: 'none' as const };
        if (found.status !== 'valid') return reply.redirect('/portal/login');
        if (!action) return reply.redirect(`${back}?mitid=stepup_failed`);
        const { browserToken, url } = await startMitidFlow(ctx, purpose, null, { patientSessionId: found.session.id, action });
        void reply.setCookie(cookies.flow.name, browserToken, { ...cookies.flow.options, maxAge: 600 });
        return reply.redirect(url.href);
      }
      let clinicId: string | null = null;
      if (purpose === 'register') {
        const clinic = slug ? await clinicBySlug(ctx.db, slug) : undefined;
        if (!clinic || !clinicAcceptsMitid(clinic)) return reply.redirect(`${back}?mitid=closed`);
        clinicId = clinic.id;
      }
      const { browserToken, url } = await startMitidFlow(ctx, purpose, clinicId);
      void reply.setCookie(cookies.flow.name, browserToken, { ...cookies.flow.options, maxAge: 600 });
      return reply.redirect(url.href);
    },
  );

  app.get('/api/mitid/callback', { schema: { tags: ['mitid'], summary: 'The broker redirects back here' } }, async (request, reply) => {
    const callbackUrl = new URL(request.url, ctx.config.publicUrl);
    void reply.clearCookie(cookies.flow.name, { path: '/' });
    let result;
    try {
      if (!ctx.mitid) throw new AppError(503, 'unavailable', { da: '', en: '' });
      result = await finishMitidFlow(ctx, callbackUrl, request.cookies[cookies.flow.name]);
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'mitid_failed';
      if (!(error instanceof AppError)) request.log.warn({ code }, 'mitid callback failed');
      return reply.redirect(`/portal/login?mitid=${encodeURIComponent(code)}`);
    }
    const { purpose, clinicId } = result;
    if (purpose === 'stepup') {
      if (result.error) return reply.redirect(`/portal/profile?mitid=${encodeURIComponent(result.error.code)}`);
      const ok = result.stepUp !== null && (await completeStepUp(ctx, result.stepUp, result.identity, request.ip));
      if (!ok || !result.stepUp) return reply.redirect('/portal/profile?mitid=stepup_other_person');
      return reply.redirect(`/portal/profile?stepup=${result.stepUp.action}`);
    }
    const slug = clinicId ? await slugOfClinic(ctx.db, clinicId) : null;
    const back = purpose === 'register' && slug !== null ? `/portal/register/${encodeURIComponent(slug)}` : '/portal/login';
    if (result.error) return reply.redirect(`${back}?mitid=${encodeURIComponent(result.error.code)}`);
    const { identity } = result;
    if (purpose === 'login') {
      const session = await loginWithMitid(ctx, identity, request.ip);
      if (!session) {
        // The login page asks /api/mitid/waiting with this cookie to say where the request waits.
        if (await rememberWaitingRequests(ctx, result.flowId, identity.cpr)) {
          void reply.setCookie(cookies.flow.name, request.cookies[cookies.flow.name] ?? '', { ...cookies.flow.options, maxAge: 600 });
          return reply.redirect('/portal/login?mitid=waiting');
        }
        return reply.redirect('/portal/login?mitid=no_login');
      }
      const patient = patientCookie(ctx);
      void reply.setCookie(patient.name, session.token, { ...patient.options, maxAge: Math.floor(ctx.sessionPolicy.absoluteMs / 1000) });
      return reply.redirect('/portal');
    }
    if (!clinicId) throw new Error('MitID callback: a registration flow without a clinic');
    const token = await rememberIdentity(ctx, clinicId, identity);
    void reply.setCookie(cookies.identity.name, token, { ...cookies.identity.options, maxAge: IDENTITY_TTL_MS / 1000 });
    return reply.redirect(back);
  });

  app.get(
    '/api/mitid/waiting',
    {
      schema: {
        tags: ['mitid'],
        summary: 'After a MitID login of a person without a login: the requests that wait at clinics (for 10 minutes, this browser only)',
        response: {
          200: Type.Object({
            requests: Type.Array(
              Type.Object({
                clinicName: Type.String(),
                since: Type.String({ format: 'date-time' }),
                reason: Type.Union([
                  Type.Literal('manual_clinic'),
                  Type.Literal('not_own_doctor'),
                  Type.Literal('registry_unavailable'),
                  Type.Literal('no_mitid_clinic'),
                  Type.Null(),
                ]),
              }),
            ),
          }),
        },
      },
      config: authRateLimit(ctx),
    },
    async (request) => {
      const rows = await waitingRequests(ctx, request.cookies[cookies.flow.name]);
      return { requests: rows.map((r) => ({ ...r, since: r.since.toISOString() })) };
    },
  );
};
