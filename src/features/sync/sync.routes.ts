import { syncRoutes, type SyncedKind } from './sync-lines.routes.ts';
import { PatientInput, upsertPatients } from './patient-sync.ts';
import { MedicationInput, upsertMedications } from './medication-sync.ts';
import { SlotInput, upsertSlots } from './slot-sync.ts';

const tags = ['clinic system sync'];

/** Patients by the clinic system's id: the clinic system is the source of truth for its patients. */
const patientSync: SyncedKind = {
  path: '/api/clinics/:clinicId/patients',
  idKeys: ['patientId'],
  noun: 'patients',
  tags,
  input: PatientInput,
  description: 'The CPR number goes in the body, never in the URL. A patient already known by CPR without an externalId is linked.',
  upsert: upsertPatients,
};

const medicationSync: SyncedKind = {
  path: '/api/clinics/:clinicId/medications',
  idKeys: ['medicationId', 'patientId'],
  noun: 'medication list items',
  tags,
  input: MedicationInput,
  description:
    "The patient is named by patientExternalId (the clinic system's id) or patientId, and must be the clinic's (else 404 patient_not_found). " +
    "An item's patient never changes (409 medication_patient_mismatch). Habit-forming medicine is never renewable online. Needs renewals:write.",
  upsert: upsertMedications,
};

const slotSync: SyncedKind = {
  path: '/api/clinics/:clinicId/slots',
  idKeys: ['slotId'],
  noun: 'bookable times',
  tags,
  input: SlotInput,
  description:
    'A new or changed time must lie ahead. A time a patient has booked is never moved or changed (409 slot_booked); sending it unchanged answers unchanged. Needs bookings:write.',
  upsert: upsertSlots,
};

/** Everything a clinic system keeps in sync by its own ids. */
export const clinicSystemSyncRoutes = syncRoutes([patientSync, medicationSync, slotSync]);
