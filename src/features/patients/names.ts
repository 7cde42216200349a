/** Splits a full name (as MitID or a request gives it) into given names and family name. */
export function splitName(full: string): { given: string; family: string } {
  const parts = full.trim().split(/\s+/);
  const family = (parts.length > 1 ? parts.pop() : undefined) ?? '-';
  return { given: parts.join(' ') || full, family };
}
