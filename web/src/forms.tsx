import { useCallback, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api.ts';
import { useI18n } from './i18n.tsx';

/**
 * The one pattern for an action the user starts (a form or a button): busy while it runs (a
 * double press sends one request), the server's error or a confirmation shown next to the
 * action and announced (aria-live), and the field the server named marked invalid and focused.
 */
export interface Action {
  busy: boolean;
  error: unknown;
  notice: string;
  /** Runs `work`; on success shows `done` (a text, or what `work` returned when it is a string). */
  run: (work: () => Promise<unknown>, done?: string) => Promise<boolean>;
  /** Props for an input the server may name in an error: aria-invalid and the error's id. */
  field: (name: string) => { 'aria-invalid'?: true; 'aria-describedby'?: string; name: string };
  reset: () => void;
  id: string;
}

let serial = 0;

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const running = useRef(false);
  const [id] = useState(() => `action-${++serial}`);

  const run = useCallback(
    async (work: () => Promise<unknown>, done?: string) => {
      if (running.current) return false;
      running.current = true;
      setBusy(true);
      setError(null);
      setNotice('');
      try {
        const result = await work();
        setNotice(done ?? (typeof result === 'string' ? result : ''));
        return true;
      } catch (caught) {
        setError(caught);
        const fieldName = caught instanceof ApiError ? caught.body.field : undefined;
        if (fieldName) document.querySelector<HTMLElement>(`[data-action="${id}"][name="${fieldName}"]`)?.focus();
        return false;
      } finally {
        running.current = false;
        setBusy(false);
      }
    },
    [id],
  );

  const field = (name: string) => {
    const invalid = error instanceof ApiError && error.body.field === name;
    return { name, 'data-action': id, ...(invalid ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {}) };
  };

  const reset = () => {
    setError(null);
    setNotice('');
  };
  return { busy, error, notice, run, field, reset, id };
}

/**
 * Where an action's outcome appears: right beside the button. Both regions exist before there is
 * anything to say, so screen readers announce what appears in them.
 */
export function ActionStatus({ action, children }: { action: Action; children?: ReactNode }) {
  const { lang } = useI18n();
  const error = action.error;
  const text = !error ? '' : error instanceof ApiError ? error.body.message[lang] : lang === 'da' ? 'Der opstod en fejl.' : 'Something went wrong.';
  return (
    <div className="action-status">
      <p id={`${action.id}-error`} className={text ? 'error' : 'visually-hidden'} aria-live="assertive">
        {text}
      </p>
      <p className={action.notice || children ? 'notice' : 'visually-hidden'} aria-live="polite">
        {action.notice}
        {children}
      </p>
    </div>
  );
}
