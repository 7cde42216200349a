import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { requirePatient } from '../../http/patient-auth.ts';
import { requireClinicRole, requireStaff, staffActor, staffOf } from '../../http/staff-auth.ts';
import { ActedByDescription, actedByLabel, patientScope } from '../portal-functions/patient-scope.ts';
import { bookSlot, cancelAppointment, clinicSlots, freeSlots, myAppointments, publishSlot } from './booking.ts';
import { patientOf } from '../patient-auth/patient-of.ts';

const ClinicParams = Type.Object({ clinicId: Type.String({ format: 'uuid' }) });
const Slot = Type.Object({
  id: Type.String(),
  practitioner: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  durationMinutes: Type.Integer(),
  kind: Type.String(),
});
const tags = ['e-tidsbestilling'];
const presentSlot = (s: { id: string; practitioner: string; starts_at: Date; duration_minutes: number; kind: string }) => ({
  id: s.id,
  practitioner: s.practitioner,
  startsAt: s.starts_at.toISOString(),
  durationMinutes: s.duration_minutes,
  kind: s.kind,
});

export const bookingRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const patientOnly = requirePatient(ctx);
  const staffOnly = requireStaff(ctx);

  app.post(
    '/api/clinics/:clinicId/slots',
    {
      schema: {
        tags,
        summary: 'Publish a bookable time',
        params: ClinicParams,
        body: Type.Object({
          practitioner: Type.String({ minLength: 1, maxLength: 100 }),
          startsAt: Type.String({ format: 'date-time' }),
          durationMinutes: Type.Integer({ minimum: 5, maximum: 240 }),
          kind: Type.String({ minLength: 1, maxLength: 100 }),
        }),
        response: { 201: Type.Object({ id: Type.String() }) },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      return reply.status(201).send(await publishSlot(ctx, request.params.clinicId, request.body, staffActor(request)));
    },
  );

  app.get(
    '/api/clinics/:clinicId/slots',
    {
      schema: {
        tags,
        summary: "The clinic's times with who booked them",
        params: ClinicParams,
        response: {
          200: Type.Object({
            slots: Type.Array(
              Type.Intersect([
                Slot,
                Type.Object({
                  bookedBy: Type.Union([Type.String(), Type.Null()]),
                  actedBy: Type.Union([Type.String(), Type.Null()], { description: ActedByDescription }),
                }),
              ]),
            ),
          }),
        },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      requireClinicRole(staffOf(request), request.params.clinicId);
      const slots = await clinicSlots(ctx, request.params.clinicId);
      return { slots: slots.map((s) => ({ ...presentSlot(s), bookedBy: s.given_name ? `${s.given_name} ${s.family_name}` : null, actedBy: actedByLabel(s) })) };
    },
  );

  app.get(
    '/api/patient/clinics/:clinicId/booking',
    {
      schema: {
        tags,
        summary: 'Free times (within the clinic’s booking window) and "Dine tider"',
        params: ClinicParams,
        response: {
          200: Type.Object({
            canBook: Type.Boolean(),
            free: Type.Array(Slot),
            appointments: Type.Array(Type.Intersect([Slot, Type.Object({ slotId: Type.String(), cancelled: Type.Boolean() })])),
          }),
        },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      const scope = await patientScope(ctx, patientOf(request), request.params.clinicId, 'booking');
      const canBook = scope.rights.includes('booking');
      const [free, mine] = await Promise.all([canBook ? freeSlots(ctx, scope) : Promise.resolve([]), myAppointments(ctx, scope)]);
      return {
        canBook,
        free: free.map(presentSlot),
        appointments: mine.map((a) => ({ ...presentSlot(a), slotId: a.slot_id, cancelled: a.cancelled_at !== null })),
      };
    },
  );

  app.post(
    '/api/patient/clinics/:clinicId/appointments',
    {
      schema: {
        tags,
        summary: 'Book a free time (needs the right)',
        params: ClinicParams,
        body: Type.Object({ slotId: Type.String({ format: 'uuid' }) }),
        response: { 201: Type.Object({ id: Type.String() }) },
      },
      onRequest: patientOnly,
    },
    async (request, reply) => {
      const scope = await patientScope(ctx, patientOf(request), request.params.clinicId, 'booking');
      return reply.status(201).send(await bookSlot(ctx, scope, request.body.slotId, request.ip));
    },
  );

  app.delete(
    '/api/patient/clinics/:clinicId/appointments/:appointmentId',
    {
      schema: {
        tags,
        summary: 'Cancel, until 48 hours before (needs the right)',
        params: Type.Object({ clinicId: Type.String({ format: 'uuid' }), appointmentId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
      onRequest: patientOnly,
    },
    async (request) => {
      const scope = await patientScope(ctx, patientOf(request), request.params.clinicId, 'booking');
      await cancelAppointment(ctx, scope, request.params.appointmentId, request.ip);
      return { ok: true };
    },
  );
};
