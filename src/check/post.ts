/**
 * One multipart POST with real upload progress (XHR: fetch has no upload progress).
 * Rejects only with a LivenessError; HTTP statuses resolve and are judged by the caller.
 */
import { LivenessError } from './errors.ts';

/** Responses larger than this are cut off: a liveness answer is a few hundred bytes. */
export const MAX_RESPONSE_BYTES = 1_000_000;

export interface UploadRequest {
  endpoint: string;
  image: Blob;
  fileName: string;
  countryCode: string;
  cardCode: string;
  headers: Record<string, string>;
  withCredentials: boolean;
  timeout: number;
  signal?: AbortSignal;
  onProgress?: (loaded: number, total: number) => void;
}

export interface UploadResponse {
  status: number;
  body: string;
  retryAfter: string | null;
}

export function sendLivenessRequest(request: UploadRequest): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    if (request.signal?.aborted) return reject(new LivenessError('aborted', 'The check was cancelled.'));
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append('liveness_image', request.image, request.fileName);
    form.append('country_code', request.countryCode);
    form.append('card_code', request.cardCode);

    let failure: LivenessError | undefined;
    const fail = (error: LivenessError) => {
      failure ??= error;
      xhr.abort();
    };
    const onAbort = () => fail(new LivenessError('aborted', 'The check was cancelled.'));
    const done = () => request.signal?.removeEventListener('abort', onAbort);

    xhr.open('POST', request.endpoint);
    xhr.responseType = 'text';
    xhr.timeout = request.timeout;
    xhr.withCredentials = request.withCredentials;
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('Accept', 'application/json');

    xhr.upload.onprogress = (event) => request.onProgress?.(event.loaded, event.lengthComputable ? event.total : request.image.size);
    const tooLarge = () =>
      new LivenessError('invalid-response', 'The liveness service sent an answer far larger than expected.', { status: xhr.status });
    // A size the headers announce is refused before the body comes.
    xhr.onreadystatechange = () => {
      if (xhr.readyState === xhr.HEADERS_RECEIVED && Number(xhr.getResponseHeader('Content-Length')) > MAX_RESPONSE_BYTES) fail(tooLarge());
    };
    xhr.onprogress = (event) => {
      // Not once the body is whole: abort() on a finished request fires no event, and the check would wait for ever
      // (Chromium's last progress event, after a fast body, comes then). onload refuses that one.
      if (event.loaded > MAX_RESPONSE_BYTES && xhr.readyState !== xhr.DONE) fail(tooLarge());
    };
    xhr.onload = () => {
      done();
      if (xhr.responseText.length > MAX_RESPONSE_BYTES) return reject(tooLarge());
      if (!sameOrigin(xhr.responseURL, request.endpoint)) {
        return reject(new LivenessError('network', 'The liveness service redirected to another site; the request was stopped.'));
      }
      resolve({ status: xhr.status, body: xhr.responseText, retryAfter: xhr.getResponseHeader('Retry-After') });
    };
    xhr.onerror = () => {
      done();
      reject(failure ?? new LivenessError('network', 'The liveness service could not be reached. Check the connection and try again.'));
    };
    xhr.ontimeout = () => {
      done();
      reject(new LivenessError('timeout', `The liveness service did not answer within ${Math.round(request.timeout / 1000)} s.`));
    };
    xhr.onabort = () => {
      done();
      reject(failure ?? new LivenessError('aborted', 'The check was cancelled.'));
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(form);
  });
}

function sameOrigin(responseUrl: string, endpoint: string): boolean {
  if (!responseUrl) return true;
  try {
    return new URL(responseUrl).origin === new URL(endpoint, globalThis.location?.href).origin;
  } catch {
    return false;
  }
}
