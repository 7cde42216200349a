import { Type } from '@sinclair/typebox';

export const Ok = Type.Object({ ok: Type.Boolean() });

export const SessionView = Type.Object({
  user: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String(), isSupport: Type.Boolean() }),
  clinics: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), role: Type.Union([Type.Literal('staff'), Type.Literal('admin')]) })),
  activeClinicId: Type.Union([Type.String(), Type.Null()]),
  csrfToken: Type.String(),
});

/** The password was right; the session waits for the second factor ('verify') or for its enrolment ('enroll'). */
export const SecondFactorNeeded = Type.Object({
  secondFactor: Type.Object({
    step: Type.Union([Type.Literal('verify'), Type.Literal('enroll')]),
    /** What the user has set up (recovery codes always work as well). */
    methods: Type.Array(Type.Union([Type.Literal('passkey'), Type.Literal('totp')])),
  }),
});
