/**
 * The one error vocabulary: every error a client can see has an HTTP status, a stable code and a
 * message in Danish and English that is safe to show. Anything else becomes a 500 with no details.
 */
export interface Messages {
  da: string;
  en: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messages: Messages,
    readonly field?: string,
  ) {
    super(messages.en);
  }
}

export const errors = {
  validation: (field: string, messages: Messages) => new AppError(400, 'validation_failed', messages, field),
  unauthenticated: () => new AppError(401, 'unauthenticated', { da: 'Du er ikke logget ind.', en: 'You are not logged in.' }),
  sessionExpired: () =>
    new AppError(401, 'session_expired', {
      da: 'Din session er udløbet. Log ind igen.',
      en: 'Your session has expired. Please log in again.',
    }),
  invalidCredentials: () =>
    new AppError(401, 'invalid_credentials', {
      da: 'Forkert e-mail eller adgangskode.',
      en: 'Wrong e-mail or password.',
    }),
  csrf: () =>
    new AppError(403, 'csrf_failed', {
      da: 'Siden er forældet. Genindlæs og prøv igen.',
      en: 'The page is out of date. Reload and try again.',
    }),
  forbidden: () =>
    new AppError(403, 'forbidden', {
      da: 'Du har ikke adgang til dette.',
      en: 'You do not have access to this.',
    }),
  // Deliberately the same answer for "does not exist" and "belongs to another clinic".
  notFound: () => new AppError(404, 'not_found', { da: 'Findes ikke.', en: 'Not found.' }),
  conflict: (code: string, messages: Messages) => new AppError(409, code, messages),
  searchInBody: () =>
    new AppError(400, 'search_in_body', {
      da: 'Søg med POST …/patients/search med søgeordet i brødteksten: et CPR-nummer må aldrig stå i en adresse.',
      en: 'Search with POST …/patients/search and the term in the body: a CPR number must never be in a URL.',
    }),
  concurrentChange: () =>
    new AppError(409, 'concurrent_change', {
      da: 'Nogen ændrede det samme i samme øjeblik. Genindlæs og prøv igen.',
      en: 'Someone changed the same thing at the same moment. Reload and try again.',
    }),
  invalidToken: () =>
    new AppError(410, 'link_invalid', {
      da: 'Linket er udløbet, allerede brugt eller erstattet af et nyere. Bed om et nyt.',
      en: 'The link has expired, was already used or was replaced by a newer one. Ask for a new one.',
    }),
  tooManyRequests: () =>
    new AppError(429, 'too_many_requests', {
      da: 'For mange forsøg. Vent lidt og prøv igen.',
      en: 'Too many attempts. Wait a moment and try again.',
    }),
  /** Too many logins at once: this one was turned away rather than queued (see passwords.ts). */
  busy: () =>
    new AppError(503, 'busy', {
      da: 'Der er travlt lige nu. Prøv igen om et øjeblik.',
      en: 'We are busy right now. Please try again in a moment.',
    }),
  unavailable: () =>
    new AppError(503, 'unavailable', {
      da: 'Tjenesten er midlertidigt utilgængelig.',
      en: 'The service is temporarily unavailable.',
    }),
};

export const internalErrorBody = {
  error: {
    code: 'internal_error',
    message: { da: 'Der opstod en uventet fejl. Prøv igen.', en: 'An unexpected error occurred. Please try again.' },
  },
};

export function errorBody(error: AppError) {
  return {
    error: {
      code: error.code,
      message: error.messages,
      ...(error.field ? { field: error.field } : {}),
    },
  };
}
