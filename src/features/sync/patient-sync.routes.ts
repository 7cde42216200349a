import type { SyncedKind } from './sync-lines.routes.ts';
import { PatientInput, upsertPatients } from './patient-sync.ts';

/** Patients by the clinic system's id: the clinic system is the source of truth for its patients. */
export const patientSync: SyncedKind = {
  path: '/api/clinics/:clinicId/patients',
  idKey: 'patientId',
  noun: 'patients',
  tags: ['clinic system sync'],
  input: PatientInput,
  description: 'The CPR number goes in the body, never in the URL. A patient already known by CPR without an externalId is linked.',
  upsert: upsertPatients,
};
