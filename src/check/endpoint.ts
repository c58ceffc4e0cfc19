/** Accura Scan's ID Liveness endpoint, used when only an `api-key` is given (local development). */
export const ACCURA_ENDPOINT = 'https://api.accurascan.com/v2/api/id-liveness';
