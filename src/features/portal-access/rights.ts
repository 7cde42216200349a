import type { PortalFunction } from '../../db/schema.ts';
import { errors } from '../../errors.ts';

export const PORTAL_FUNCTIONS: PortalFunction[] = ['econsultation', 'booking', 'renewal'];

/** Rights must be functions the clinic offers; returned in a stable order without duplicates. */
export function checkRights(requested: string[], offered: PortalFunction[]): PortalFunction[] {
  const unknown = requested.filter((r) => !offered.includes(r as PortalFunction));
  if (unknown.length) {
    throw errors.validation('rights', {
      da: 'Klinikken tilbyder ikke alle de valgte funktioner.',
      en: 'The clinic does not offer all of the chosen functions.',
    });
  }
  return PORTAL_FUNCTIONS.filter((f) => requested.includes(f));
}
