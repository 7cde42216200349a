import type { Scope } from './scopes.ts';

/**
 * The staff routes a clinic system may call with a bearer token, and the scope each needs. A route
 * that is not listed refuses bearer tokens (staff-only: settings, support, failed mails, the
 * integrations themselves). Kept as one table so the OpenAPI document, the per-request check and
 * the enforcement test read the same declarations.
 */
export const bearerRouteScopes: Record<string, Scope> = {
  'GET /api/clinics/:clinicId/patients': 'patients:read',
  'POST /api/clinics/:clinicId/patients/search': 'patients:read',
  'GET /api/clinics/:clinicId/patients/:patientId': 'patients:read',
  'PUT /api/clinics/:clinicId/patients/by-external-id': 'patients:write',
  'POST /api/clinics/:clinicId/patients/bulk': 'patients:write',
  'GET /api/clinics/:clinicId/patients/:patientId/portal': 'patients:read',
  'POST /api/clinics/:clinicId/patients/:patientId/portal': 'portal:write',
  'PUT /api/clinics/:clinicId/patients/:patientId/portal': 'portal:write',
  'DELETE /api/clinics/:clinicId/patients/:patientId/portal': 'portal:write',
  'POST /api/clinics/:clinicId/patients/:patientId/portal/resend-activation': 'portal:write',
  'POST /api/clinics/:clinicId/patients/:patientId/portal/new-password': 'portal:write',
  'GET /api/clinics/:clinicId/patients/:patientId/parent-access': 'patients:read',
  'PUT /api/clinics/:clinicId/patients/:patientId/parent-access': 'portal:write',
  'DELETE /api/clinics/:clinicId/patients/:patientId/parent-access': 'portal:write',
  'GET /api/login-requests': 'requests:read',
  'GET /api/login-requests/summary': 'requests:read',
  'POST /api/login-requests/:requestId/approve': 'requests:write',
  'POST /api/login-requests/:requestId/reject': 'requests:write',
  'GET /api/clinics/:clinicId/econsultations': 'messages:read',
  'GET /api/clinics/:clinicId/econsultations/:threadId': 'messages:read',
  'GET /api/clinics/:clinicId/attachments/:attachmentId': 'messages:read',
  'POST /api/clinics/:clinicId/econsultations/:threadId/messages': 'messages:write',
  'POST /api/clinics/:clinicId/econsultations/:threadId/close': 'messages:write',
  'GET /api/clinics/:clinicId/slots': 'bookings:read',
  'POST /api/clinics/:clinicId/slots': 'bookings:write',
  'PUT /api/clinics/:clinicId/slots/by-external-id': 'bookings:write',
  'POST /api/clinics/:clinicId/slots/bulk': 'bookings:write',
  'GET /api/clinics/:clinicId/patients/:patientId/medications': 'renewals:read',
  'POST /api/clinics/:clinicId/patients/:patientId/medications': 'renewals:write',
  // The medication list drives e-receptfornyelse: written with the same scope however it is written.
  'PUT /api/clinics/:clinicId/medications/by-external-id': 'renewals:write',
  'POST /api/clinics/:clinicId/medications/bulk': 'renewals:write',
  'GET /api/clinics/:clinicId/renewals': 'renewals:read',
  'POST /api/clinics/:clinicId/renewals/:renewalId/approve': 'renewals:write',
  'POST /api/clinics/:clinicId/renewals/:renewalId/reject': 'renewals:write',
  'GET /api/events': 'events:read',
  'POST /api/webhooks': 'events:read',
  'GET /api/webhooks': 'events:read',
  'GET /api/webhooks/:webhookId/deliveries': 'events:read',
  'DELETE /api/webhooks/:webhookId': 'events:read',
};

export const scopeForRoute = (method: string, url: string | undefined): Scope | undefined =>
  url === undefined ? undefined : bearerRouteScopes[`${method} ${url}`];
