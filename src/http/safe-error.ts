/**
 * What of an error may be logged: database errors carry the query and its parameters (CPR
 * numbers, names), so only name, code, message and stack go to the log.
 */
export function safeError(error: unknown) {
  if (!(error instanceof Error)) return { message: String(error) };
  return { name: error.name, code: (error as { code?: unknown }).code, message: error.message, stack: error.stack };
}
