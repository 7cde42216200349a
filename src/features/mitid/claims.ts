/** The MitID broker claims we read (Signaturgruppen/Nets eID Broker naming). */
export const LOA_PREFIX = 'https://data.gov.dk/concept/core/nsis/';
export const ACCEPTED_LOA = [`${LOA_PREFIX}Substantial`, `${LOA_PREFIX}High`];
export const MITID_SCOPE = 'openid mitid ssn';

export interface MitidIdentity {
  cpr: string;
  uuid: string;
  name: string;
  birthDate: string;
  loa: string;
}

/** Age in whole years on `now`, from a YYYY-MM-DD date of birth. */
export function ageOn(birthDate: string, now: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age--;
  return age;
}
