import type { MyLogRow } from './my-log.repository.ts';

const FUNCTION_NAMES: Record<string, { da: string; en: string }> = {
  econsultation: { da: 'E-konsultation', en: 'E-consultation' },
  booking: { da: 'E-tidsbestilling', en: 'Online booking' },
  renewal: { da: 'E-receptfornyelse', en: 'Prescription renewal' },
};

const names = (rights: unknown, lang: 'da' | 'en') =>
  (Array.isArray(rights) ? rights : []).map((r) => FUNCTION_NAMES[String(r)]?.[lang] ?? String(r)).join(', ');

/** What changed in a rights change, in words: "E-tidsbestilling fjernet". */
function rightsChange(details: Record<string, unknown>, lang: 'da' | 'en'): string {
  const before = (details.before as { rights?: string[] } | undefined)?.rights ?? [];
  const after = (details.after as { rights?: string[] } | undefined)?.rights ?? [];
  const removed = before.filter((r) => !after.includes(r));
  const added = after.filter((r) => !before.includes(r));
  const parts = [
    added.length ? `${names(added, lang)} ${lang === 'da' ? 'tilføjet' : 'added'}` : '',
    removed.length ? `${names(removed, lang)} ${lang === 'da' ? 'fjernet' : 'removed'}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : lang === 'da' ? 'ønske om svar elektronisk ændret' : 'electronic replies setting changed';
}

/** The line Min log shows for one audit row, in plain Danish (and English). */
export function describeEntry(row: MyLogRow, own = false): { da: string; en: string } {
  const subject = row.thread_subject ? `'${row.thread_subject}'` : '';
  const rights = { da: names(row.details.rights, 'da') || 'ingen funktioner', en: names(row.details.rights, 'en') || 'no functions' };
  switch (row.action) {
    // Forældreadgang: read by the child (whose record it is) once the child has a login of its own.
    case 'child_access.viewed':
      return { da: 'så forældreadgangen til dine oplysninger', en: 'viewed the parent access to your details' };
    case 'child_access.granted':
      return { da: `gav dine forældre adgang til at handle for dig: ${rights.da}`, en: `gave your parents access to act for you: ${rights.en}` };
    case 'child_access.changed':
      return { da: `ændrede dine forældres adgang til at handle for dig: ${rights.da}`, en: `changed your parents' access to act for you: ${rights.en}` };
    case 'child_access.ended':
      return { da: 'afsluttede dine forældres adgang til at handle for dig', en: "ended your parents' access to act for you" };
    case 'child_access.requested':
      return { da: 'bad klinikken om adgang til at handle for dig', en: 'asked the clinic for access to act for you' };
    case 'child_access.switched':
      return own
        ? { da: 'Du skiftede til at handle for dit barn', en: 'You switched to acting for your child' }
        : { da: 'begyndte at handle for dig', en: 'started acting for you' };
    case 'patient.viewed':
      return { da: 'så dine oplysninger i patientkartoteket', en: 'viewed your details in the patient record' };
    case 'portal_form.viewed':
      return { da: 'så din adgang til Patientportal', en: 'viewed your Patientportal access' };
    case 'medications.viewed':
      return { da: 'så din medicinliste', en: 'viewed your medication list' };
    case 'renewal.medication_added':
      return { da: 'tilføjede medicin til din medicinliste', en: 'added medicine to your medication list' };
    case 'renewal.medication_updated':
      return { da: 'ændrede medicin på din medicinliste', en: 'changed medicine on your medication list' };
    case 'econsultation.viewed':
      return { da: `så din e-konsultation ${subject}`.trim(), en: `viewed your e-consultation ${subject}`.trim() };
    case 'econsultation.attachment_viewed':
      return { da: 'åbnede en vedhæftet fil i din e-konsultation', en: 'opened an attachment in your e-consultation' };
    case 'econsultation.answered':
      return { da: `besvarede din e-konsultation ${subject}`.trim(), en: `answered your e-consultation ${subject}`.trim() };
    case 'econsultation.closed':
      return { da: `lukkede din e-konsultation ${subject}`.trim(), en: `closed your e-consultation ${subject}`.trim() };
    case 'portal.created':
      return { da: 'oprettede dit login', en: 'created your login' };
    case 'portal.linked':
      return { da: 'gav dig adgang med dit eksisterende login', en: 'gave you access with your existing login' };
    case 'portal.rights_changed':
      return { da: `ændrede dine rettigheder: ${rightsChange(row.details, 'da')}`, en: `changed your rights: ${rightsChange(row.details, 'en')}` };
    case 'portal.activation_resent':
      return { da: 'sendte dig et nyt aktiveringslink', en: 'sent you a new activation link' };
    case 'portal.password_link_sent':
      return { da: 'sendte dig et link til ny adgangskode', en: 'sent you a link to choose a new password' };
    case 'portal.deleted':
      return { da: 'afsluttede din adgang til klinikken', en: 'ended your access to the clinic' };
    case 'portal.request_approved':
      return { da: 'godkendte din loginbestilling', en: 'approved your login request' };
    case 'login_request.rejected':
      return { da: 'afviste din loginbestilling', en: 'rejected your login request' };
    case 'patient.login':
      return { da: 'Du loggede ind med adgangskode og sikkerhedskode', en: 'You logged in with password and security code' };
    case 'patient.login_mitid':
      return { da: 'Du loggede ind med MitID', en: 'You logged in with MitID' };
    case 'patient.login_failed':
      return { da: 'Forsøg på at logge ind med forkert adgangskode', en: 'A login attempt with a wrong password' };
    case 'patient.login_stopped':
      return { da: 'Dit login blev stoppet efter for mange forkerte forsøg', en: 'Your login was stopped after too many wrong attempts' };
    case 'patient.password_reset':
      return { da: 'Din adgangskode blev skiftet', en: 'Your password was changed' };
    case 'patient.password_reset_requested':
      return { da: 'Der blev bedt om et link til ny adgangskode', en: 'A link to choose a new password was requested' };
    case 'patient.email_change_requested':
      return { da: 'Der blev bedt om at skifte din e-mailadresse', en: 'A change of your e-mail address was requested' };
    case 'patient.email_changed':
      return { da: 'Din e-mailadresse blev skiftet', en: 'Your e-mail address was changed' };
    case 'patient.phone_changed':
      return { da: 'Dit telefonnummer blev skiftet', en: 'Your phone number was changed' };
    case 'patient.data_exported':
      return { da: 'Du hentede dine data', en: 'You downloaded your data' };
    case 'portal.activated':
      return { da: 'Du aktiverede dit login', en: 'You activated your login' };
    case 'econsultation.started':
    case 'econsultation.patient_replied':
      return { da: `skrev i din e-konsultation ${subject}`.trim(), en: `wrote in your e-consultation ${subject}`.trim() };
    case 'booking.booked':
      return { da: 'bookede en tid for dig', en: 'booked an appointment for you' };
    case 'booking.cancelled':
      return { da: 'aflyste en tid for dig', en: 'cancelled an appointment for you' };
    case 'renewal.requested':
      return { da: 'bad om receptfornyelse for dig', en: 'asked for a prescription renewal for you' };
    case 'fuldmagt.accepted':
      return { da: 'accepterede din fuldmagt', en: 'accepted your power of attorney' };
    case 'fuldmagt.switched':
      return { da: 'begyndte at handle for dig med din fuldmagt', en: 'began acting for you with your power of attorney' };
    case 'fuldmagt.declined':
      return { da: 'afviste din fuldmagt', en: 'declined your power of attorney' };
    case 'fuldmagt.given_up':
      return { da: 'frasagde sig din fuldmagt', en: 'gave up your power of attorney' };
    default:
      return { da: 'så eller ændrede dine oplysninger', en: 'viewed or changed your details' };
  }
}

const ROLE_NAMES: Record<string, { da: string; en: string }> = {
  staff: { da: 'medarbejder', en: 'staff' },
  admin: { da: 'administrator', en: 'administrator' },
};

/** Who acted for the person with another login, when the audit row has no name: "Din mor". */
function actingName(details: Record<string, unknown>): string {
  const relation = (details.actingFor as { relation?: string } | undefined)?.relation;
  if (relation === 'mor') return 'Din mor';
  if (relation === 'far') return 'Din far';
  if (relation === 'fuldmagt') return 'Din fuldmagtshaver';
  return 'En forælder med forældremyndighed';
}

/** Someone who acted for the person (a parent, a fuldmagt receiver): "Jens Jensen (fuldmagt)". */
function actingActor(details: Record<string, unknown>) {
  const acting = details.actingFor as { actorName?: unknown; relation?: unknown } | undefined;
  return acting && typeof acting.actorName === 'string' ? `${acting.actorName} (${String(acting.relation)})` : null;
}

export function presentEntry(row: MyLogRow, accountId: string | null = null) {
  const own = row.actor_type === 'patient' && row.actor_id === accountId;
  return {
    id: row.id,
    at: row.occurred_at.toISOString(),
    clinic: row.clinic_name,
    who: own
      ? null
      : row.actor_type === 'patient'
        ? { name: actingActor(row.details) ?? actingName(row.details), role: null }
        : {
            // A clinic system shows with the name the clinic gave it ("Systemadgang").
            name: row.actor_name ?? (row.actor_type === 'cli' ? 'Systemadministrator' : 'Klinikken'),
            role: row.actor_role ? (ROLE_NAMES[row.actor_role] ?? null) : null,
          },
    kind: own ? ('own' as const) : ('clinic' as const),
    text: describeEntry(row, own),
  };
}
