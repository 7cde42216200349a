import type { FastifyRequest } from 'fastify';
import { errors } from '../../errors.ts';
import type { PatientSession } from './patient-sessions.ts';

/** The patient session requirePatient put on the request (as staffOf does for staff); 401 if there is none. */
export function patientOf(request: FastifyRequest): PatientSession {
  if (!request.patient) throw errors.unauthenticated();
  return request.patient;
}
