import { maskCpr } from '../patients/cpr.ts';
import type { OpenRequestRow } from './queue.repository.ts';

/**
 * One open request as Loginbestillinger shows it (the route's JSON): the CPR masked, the facts the
 * page's statement worked out named for the screen. bench:queue's floor answers the same JSON.
 */
export function openRequestView(r: OpenRequestRow) {
  return {
    id: r.id,
    clinicId: r.clinic_id,
    clinicName: r.clinic_name,
    receivedAt: r.created_at.toISOString(),
    name: r.name,
    maskedCpr: maskCpr(r.cpr),
    email: r.email,
    phone: r.phone,
    knownPatient: r.known_patient_id && r.known_patient_name ? { id: r.known_patient_id, name: r.known_patient_name } : null,
    identityVerified: r.identity_verified,
    reason: r.reason,
    registryAnswer: r.registry_answer,
    requestedByParent: r.requested_by_name,
    previouslyHadAccess: r.previously_had_access,
    presetRights: r.preset_rights,
    previousAccess: r.previous_ended_by && r.previous_ended_at ? { endedBy: r.previous_ended_by, endedAt: r.previous_ended_at.toISOString() } : null,
  };
}
