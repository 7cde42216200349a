/** Fictional people for the demo. Any likeness to real persons or CPR numbers is chance. */
export const DEMO_PASSWORD = 'Demo-adgang-2026';
/** A demo patient with a portal login at Lægerne Søndergade (same password; the code comes by mail). */
export const DEMO_PATIENT = { cpr: '0101380000', email: 'anna.nielsen0@example.dk' };

/**
 * A family at Lægerne Søndergade for acting for a child (issue 15): Mette Hansen has a login and is a
 * MitID test person of the bundled broker; her daughter Emma (born 12 July 2017) has Forældreadgang;
 * src/demo/custody.csv names Mette and Jonas as Emma's custody holders.
 */
const familyAddress = { address: 'Skovvej 12', postal_code: '8000', city: 'Aarhus C' };
export const DEMO_FAMILY = {
  parent: { cpr: '0304851236', given_name: 'Mette', family_name: 'Hansen', ...familyAddress, phone: '20304050', email: 'mette.hansen@example.dk' },
  otherParent: { cpr: '1911831237', given_name: 'Jonas', family_name: 'Hansen', ...familyAddress, phone: '20304051', email: 'jonas.hansen@example.dk' },
  child: { cpr: '1207174028', given_name: 'Emma', family_name: 'Hansen', ...familyAddress, phone: null, email: null },
};

export const demoClinics = [
  {
    key: 'soendergade',
    name: 'Lægerne Søndergade',
    slug: 'laegerne-soendergade',
    specialty: 'almen_praksis' as const,
    ydernummer: '012345',
    uses_mitid: true,
    self_registration: 'manual' as const,
  },
  {
    key: 'aaparken',
    name: 'Lægehuset Åparken',
    slug: 'laegehuset-aaparken',
    specialty: 'almen_praksis' as const,
    ydernummer: '054321',
    uses_mitid: true,
    self_registration: 'automatic' as const,
    auto_approval_allowed: true,
  },
  {
    key: 'oejenklinik',
    name: 'Øjenklinikken Vestergade',
    slug: 'oejenklinikken-vestergade',
    specialty: 'speciallaege' as const,
    ydernummer: null,
    uses_mitid: false,
    self_registration: 'manual' as const,
  },
];

export const demoStaff = [
  { email: 'sekretaer@soendergade.dk', name: 'Sofie Sekretær', clinics: [['soendergade', 'staff']] },
  { email: 'admin@soendergade.dk', name: 'Anders Administrator', clinics: [['soendergade', 'admin']] },
  { email: 'sekretaer@aaparken.dk', name: 'Peter Sekretær', clinics: [['aaparken', 'staff']] },
  { email: 'admin@aaparken.dk', name: 'Agnes Administrator', clinics: [['aaparken', 'admin']] },
  { email: 'sekretaer@oejenklinikken.dk', name: 'Sara Sekretær', clinics: [['oejenklinik', 'staff']] },
  { email: 'admin@oejenklinikken.dk', name: 'Anne Administrator', clinics: [['oejenklinik', 'admin']] },
  {
    email: 'multi@klinikker.dk',
    name: 'Mette Multiklinik',
    clinics: [
      ['soendergade', 'staff'],
      ['oejenklinik', 'staff'],
    ],
  },
  { email: 'support@patientportal.dk', name: 'Søren Support', clinics: [], isSupport: true },
] as const;

const women = ['Anna', 'Karen', 'Mette', 'Louise', 'Camilla', 'Ida', 'Freja', 'Emma', 'Birgitte', 'Inge', 'Hanne', 'Signe', 'Ella', 'Lærke', 'Grethe'];
const men = ['Jens', 'Peter', 'Lars', 'Søren', 'Niels', 'Mikkel', 'Rasmus', 'Frederik', 'Oliver', 'Henrik', 'Poul', 'Bjørn', 'Magnus', 'Ole', 'Kasper'];
const families = [
  'Nielsen',
  'Jensen',
  'Hansen',
  'Pedersen',
  'Andersen',
  'Christensen',
  'Larsen',
  'Sørensen',
  'Rasmussen',
  'Jørgensen',
  'Madsen',
  'Kristensen',
  'Olsen',
  'Thomsen',
  'Møller',
];
const streets = ['Søndergade', 'Vestergade', 'Åboulevarden', 'Nørregade', 'Østergade', 'Skovvej', 'Kirkevej', 'Strandvejen'];
const cities: [postal: string, city: string][] = [
  ['8000', 'Aarhus C'],
  ['8200', 'Aarhus N'],
  ['8210', 'Aarhus V'],
  ['8240', 'Risskov'],
];

export interface DemoPatient {
  cpr: string;
  given_name: string;
  family_name: string;
  address: string;
  postal_code: string;
  city: string;
  phone: string;
  email: string;
  clinics: string[];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** list[index], which the fixed demo lists always have. */
function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`demo data: no item ${index} in a list of ${list.length}`);
  return item;
}

/**
 * 30 patients, deterministic. Born 1938-2018; the CPR's 7th digit follows the century rule and
 * the last digit the sex. A few are patients of both clinics.
 */
export function demoPatients(): DemoPatient[] {
  return Array.from({ length: 30 }, (_, i) => {
    const female = i % 2 === 0;
    const given = at(female ? women : men, Math.floor(i / 2) % 15);
    const family = at(families, (i * 7) % families.length);
    const year = 1938 + ((i * 37) % 81);
    const day = 1 + ((i * 11) % 28);
    const month = 1 + ((i * 5) % 12);
    const seventh = year >= 2000 ? 4 : i % 4;
    const serial = `${seventh}${pad((i * 13) % 100)}${female ? (i * 2) % 10 : ((i * 2) % 10) + 1}`;
    const [postal, city] = at(cities, i % cities.length);
    return {
      cpr: `${pad(day)}${pad(month)}${pad(year % 100)}${serial}`,
      given_name: given,
      family_name: family,
      address: `${streets[i % streets.length]} ${1 + ((i * 3) % 90)}`,
      postal_code: postal,
      city,
      phone: `${20 + (i % 10)}${pad((i * 17) % 100)}${pad((i * 29) % 100)}${pad((i * 31) % 100)}`,
      email: `${given}.${family}${i}@example.dk`.toLowerCase().replace(/æ/g, 'ae').replace(/ø/g, 'oe').replace(/å/g, 'aa'),
      clinics: i < 20 ? ['soendergade'] : i < 26 ? ['oejenklinik'] : ['soendergade', 'oejenklinik'],
    };
  });
}
