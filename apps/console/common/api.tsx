// The one way the console talks to its service: same origin, the pasted bearer token on every call.
// The token lives in sessionStorage only: gone when the tab closes, never in the URL or localStorage.

const TOKEN_KEY = 'console.token';

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/** The service's error reply ({error: {code, message, details}}) as a thrown value. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

/** The API root: the console is served at <service>/admin/, the API at <service>/v1/. */
export function apiUrl(path: string): string {
  return new URL(`../${path.replace(/^\//, '')}`, document.baseURI).toString();
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = tokenStore.get();
  return { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...extra };
}

async function failureOf(status: number, text: string): Promise<ApiFailure> {
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string; details: unknown } };
    return new ApiFailure(status, error.code, error.message, error.details);
  } catch {
    return new ApiFailure(status, 'http_error', `HTTP ${status}`, null);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(apiUrl(path), {
    method,
    headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw await failureOf(res.status, text);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A file upload with progress (fetch reports none for request bodies). */
export function upload<T>(
  method: string,
  path: string,
  file: Blob,
  contentType: string,
  onProgress: (fraction: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, apiUrl(path));
    for (const [k, v] of Object.entries(headers({ 'Content-Type': contentType }))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiFailure(0, 'network_error', 'the service could not be reached', null));
    xhr.onload = async () => {
      onProgress(1);
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText) as T);
      else reject(await failureOf(xhr.status, xhr.responseText));
    };
    xhr.send(file);
  });
}

export type Role = 'admin' | 'reader';

/**
 * What the token may do: listing tokens is admin-only on every service, so 200 means admin and
 * 403 a narrower role (read-only here); 401 means the token is unknown.
 */
export async function probeRole(): Promise<Role> {
  try {
    await api('GET', 'v1/tokens');
    return 'admin';
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 403) return 'reader';
    throw err;
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
