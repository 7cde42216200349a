/** What an integration may be granted. `portal:write` covers the Patientportal form: Opret, Gensend, Ny kode, rights, Slet. */
export const SCOPES = [
  'patients:read',
  'patients:write',
  'portal:write',
  'requests:read',
  'requests:write',
  'messages:read',
  'messages:write',
  'bookings:read',
  'bookings:write',
  'renewals:read',
  'renewals:write',
  'events:read',
] as const;

export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/** The Danish description of each scope, shown where an admin ticks them. */
export const scopeLabels: Record<Scope, string> = {
  'patients:read': 'Læse patienter',
  'patients:write': 'Oprette og opdatere patienter',
  'portal:write': 'Patientportal-formularen (Opret, Gensend, Ny kode, rettigheder, Slet)',
  'requests:read': 'Læse loginbestillinger',
  'requests:write': 'Behandle loginbestillinger',
  'messages:read': 'Læse e-konsultationer',
  'messages:write': 'Besvare e-konsultationer',
  'bookings:read': 'Læse tider',
  'bookings:write': 'Udbyde tider',
  'renewals:read': 'Læse medicin og receptfornyelser',
  'renewals:write': 'Skrive medicin og behandle receptfornyelser',
  'events:read': 'Læse hændelser (webhooks og feed)',
};
