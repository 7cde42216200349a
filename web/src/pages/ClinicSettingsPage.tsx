import { useEffect, useState, type SubmitEvent } from 'react';
import { api } from '../api.ts';
import { ErrorMessage, PageTitle } from '../components.tsx';
import { useI18n } from '../i18n.tsx';
import type { ApiResponse } from '../api-schema.ts';
import { useActingTexts } from '../texts-acting.ts';
import { StaffSecuritySection } from './StaffSecuritySection.tsx';
import { useFuldmagtTexts } from '../texts-fuldmagt.ts';

type Settings = ApiResponse<'/api/clinics/{clinicId}/settings'>;

/** Systemmanager -> E-moduler: the clinic's Patientportal settings; editable by its admins. */
export function ClinicSettingsPage({ clinicId, isAdmin }: { clinicId: string; isAdmin: boolean }) {
  const { t } = useI18n();
  const x = useActingTexts();
  const fx = useFuldmagtTexts();
  const [s, setS] = useState<Settings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');

  useEffect(() => {
    api<Settings>('GET', `/api/clinics/${clinicId}/settings`).then(setS).catch(setError);
  }, [clinicId]);
  if (!s) return <ErrorMessage error={error} />;

  const set = <K extends keyof Settings>(key: K, value: Settings[K]) => setS({ ...s, [key]: value });
  const automaticBlocked = !s.usesMitid ? t.automaticNeedsMitid : !s.autoApprovalAllowed ? t.automaticNeedsSupport : null;
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    setNotice('');
    try {
      const { name: _n, slug: _s, autoApprovalAllowed: _a, ...input } = s;
      setS(await api<Settings>('PUT', `/api/clinics/${clinicId}/settings`, input));
      setNotice(t.saved);
    } catch (caught) {
      setError(caught);
    }
  };
  const registrationUrl = `${window.location.origin}/portal/register/${s.slug}`;

  return (
    <>
      <PageTitle>{t.settingsTitle}</PageTitle>
      {!isAdmin && <p className="muted">{t.readOnlySettings}</p>}
      <form onSubmit={(e) => void save(e)} className="settings">
        <fieldset disabled={!isAdmin}>
          <legend>{s.name}</legend>
          <label htmlFor="specialty">{t.specialty}</label>
          <select id="specialty" value={s.specialty} onChange={(e) => set('specialty', e.target.value as Settings['specialty'])}>
            <option value="almen_praksis">{t.almen_praksis}</option>
            <option value="speciallaege">{t.speciallaege}</option>
          </select>
          {s.specialty === 'almen_praksis' && (
            <>
              <label htmlFor="ydernummer">{t.ydernummer}</label>
              <input id="ydernummer" inputMode="numeric" pattern="[0-9]{6}" value={s.ydernummer ?? ''} onChange={(e) => set('ydernummer', e.target.value)} />
            </>
          )}
          <div className="check">
            <input
              id="parents-may-act"
              type="checkbox"
              checked={s.parentsMayActForChildren}
              onChange={(e) => set('parentsMayActForChildren', e.target.checked)}
            />
            <label htmlFor="parents-may-act">{x.parentsMayAct}</label>
          </div>
          <div className="check">
            <input id="accepts-poa" type="checkbox" checked={s.acceptsPowerOfAttorney} onChange={(e) => set('acceptsPowerOfAttorney', e.target.checked)} />
            <label htmlFor="accepts-poa">{fx.acceptsPoa}</label>
          </div>
          <div className="check">
            <input id="uses-mitid" type="checkbox" checked={s.usesMitid} onChange={(e) => set('usesMitid', e.target.checked)} />
            <label htmlFor="uses-mitid">{t.usesMitid}</label>
          </div>
          <fieldset>
            <legend>{t.selfRegistration}</legend>
            {(['none', 'manual', 'automatic'] as const).map((value) => (
              <div className="check" key={value}>
                <input
                  id={`selfreg-${value}`}
                  type="radio"
                  name="selfRegistration"
                  checked={s.selfRegistration === value}
                  disabled={value === 'automatic' && automaticBlocked !== null}
                  aria-describedby={value === 'automatic' && automaticBlocked ? 'automatic-why' : undefined}
                  onChange={() => set('selfRegistration', value)}
                />
                <label htmlFor={`selfreg-${value}`}>{value === 'none' ? t.selfRegNone : value === 'manual' ? t.selfRegManual : t.selfRegAutomatic}</label>
              </div>
            ))}
            {automaticBlocked && (
              <p id="automatic-why" className="muted">
                {automaticBlocked}
              </p>
            )}
          </fieldset>
          <fieldset>
            <legend>{t.offeredFunctions}</legend>
            {(['econsultation', 'booking', 'renewal'] as const).map((f) => (
              <div className="check" key={f}>
                <input
                  id={`offer-${f}`}
                  type="checkbox"
                  checked={s.offeredFunctions.includes(f)}
                  onChange={(e) => set('offeredFunctions', e.target.checked ? [...s.offeredFunctions, f] : s.offeredFunctions.filter((x) => x !== f))}
                />
                <label htmlFor={`offer-${f}`}>{t[f]}</label>
              </div>
            ))}
          </fieldset>
          <label htmlFor="max-length">{t.econsultationMaxLength}</label>
          <input
            id="max-length"
            type="number"
            min={50}
            max={10000}
            value={s.econsultationMaxLength}
            onChange={(e) => set('econsultationMaxLength', Number(e.target.value))}
          />
          <label htmlFor="booking-min">{t.bookingMinHours}</label>
          <input
            id="booking-min"
            type="number"
            min={0}
            max={720}
            value={s.bookingMinHoursAhead}
            onChange={(e) => set('bookingMinHoursAhead', Number(e.target.value))}
          />
          <label htmlFor="booking-max">{t.bookingMaxDays}</label>
          <input
            id="booking-max"
            type="number"
            min={1}
            max={365}
            value={s.bookingMaxDaysAhead}
            onChange={(e) => set('bookingMaxDaysAhead', Number(e.target.value))}
          />
          {isAdmin && <button type="submit">{t.save}</button>}
        </fieldset>
      </form>
      <ErrorMessage error={error} />
      <p role="status" className="notice">
        {notice}
      </p>
      <p>
        {t.registrationLink}: <a href={registrationUrl}>{registrationUrl}</a>
      </p>
      <StaffSecuritySection endpoint={`/api/clinics/${clinicId}/security`} scope="clinic" canEdit={isAdmin} />
    </>
  );
}
