/** The UI talks to the same JSON API that clinic systems use; nothing here is UI-only. */
export interface ApiErrorBody {
  error: { code: string; message: { da: string; en: string }; field?: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody['error'],
  ) {
    super(body.message.en);
  }
}

export interface Session {
  user: { id: string; name: string; email: string; isSupport: boolean };
  clinics: { id: string; name: string; role: 'staff' | 'admin' }[];
  activeClinicId: string | null;
  csrfToken: string;
}

let csrfToken = '';
export const setCsrfToken = (token: string) => (csrfToken = token);

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const fallback = { code: 'network', message: { da: 'Der opstod en fejl.', en: 'Something went wrong.' } };
    throw new ApiError(response.status, (data as ApiErrorBody | null)?.error ?? fallback);
  }
  return data as T;
}
