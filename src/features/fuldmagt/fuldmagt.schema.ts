import { Type } from '@sinclair/typebox';

export const Right = Type.Union([Type.Literal('econsultation'), Type.Literal('booking'), Type.Literal('renewal')]);
const Day = Type.String({ format: 'date', description: 'The last day the fuldmagt is valid (YYYY-MM-DD)' });

/** A fuldmagt as its receiver sees it (also what acting-for lists). */
export const ReceivedFuldmagt = Type.Object({
  id: Type.String({ description: 'Name this to accept, decline or act under the fuldmagt' }),
  giverName: Type.String(),
  status: Type.Union([Type.Literal('offered'), Type.Literal('accepted')]),
  functions: Type.Array(Right),
  validUntil: Day,
  clinics: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), rights: Type.Array(Right) })),
});

/** A fuldmagt as its giver sees it: the receiver's CPR number only masked. */
export const GivenFuldmagt = Type.Object({
  id: Type.String(),
  receiverName: Type.String(),
  receiverCprMasked: Type.String({ description: 'DDMMYY-xxxx' }),
  status: Type.Union(['draft', 'offered', 'accepted', 'declined', 'revoked', 'given_up', 'expired'].map((s) => Type.Literal(s))),
  functions: Type.Array(Right),
  validUntil: Day,
  clinics: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
});

export const FuldmagtOverview = Type.Object({
  given: Type.Array(GivenFuldmagt),
  received: Type.Array(ReceivedFuldmagt),
  mitid: Type.Boolean({ description: 'Whether the session was opened with MitID (needed to give, accept or use a fuldmagt)' }),
  clinics: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), { description: 'The clinics a new fuldmagt may name' }),
  defaultUntil: Day,
  latestUntil: Day,
});

export const FuldmagtInput = Type.Object({
  receiverCpr: Type.String({ minLength: 10, maxLength: 11, description: 'The receiver’s CPR number (in the body, never in a URL)' }),
  receiverName: Type.String({ minLength: 1, maxLength: 200 }),
  clinicIds: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 50, uniqueItems: true }),
  functions: Type.Array(Right, { minItems: 1, maxItems: 3, uniqueItems: true }),
  until: Type.Optional(Type.String({ format: 'date', description: 'Last valid day; default one year ahead, at most two' })),
});

export const StaffFuldmagt = Type.Object({
  receiverName: Type.String(),
  status: Type.Union([Type.Literal('offered'), Type.Literal('accepted')]),
  functions: Type.Array(Right),
  validUntil: Day,
});
