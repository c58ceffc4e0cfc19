export function ensureDebianPackage(options: { pkg: string; why: string; find: () => string | undefined }): { path: string; installed: boolean };
export function firstExisting(...paths: string[]): string | undefined;
