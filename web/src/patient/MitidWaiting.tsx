import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { dayKey, formatDate } from '../format.ts';
import { useTexts } from '../texts-everyday.ts';

interface Waiting {
  clinicName: string;
  since: string;
  reason: string | null;
}

/**
 * After "Log ind med MitID" by a person whose request still waits (?mitid=waiting): where it
 * waits, since when, and why it was not approved at once when that is theirs to know.
 */
export function MitidWaiting() {
  const x = useTexts();
  const [requests, setRequests] = useState<Waiting[] | null>(null);
  useEffect(() => {
    api<{ requests: Waiting[] }>('GET', '/api/mitid/waiting').then(
      (r) => setRequests(r.requests),
      () => setRequests([]),
    );
  }, []);
  if (!requests || requests.length === 0) return null;
  return (
    <section className="banner banner-yellow" aria-labelledby="waiting-title">
      <h2 id="waiting-title">{x.waitingTitle}</h2>
      <div role="status">
        {requests.map((r, i) => (
          <p key={i}>
            {x.waitingAt(r.clinicName, formatDate(dayKey(r.since)))} {r.reason && x.waitingReason[r.reason]}
          </p>
        ))}
        <p>{x.waitingMail}</p>
      </div>
    </section>
  );
}
