/** Records an install step's time in the file named by ACCURA_INSTALL_LOG (set by `npm test`); no-op otherwise. */
export declare function recordInstall(what: string, seconds: number): void;
/** The steps recorded in `file`, in order. */
export declare function readInstalls(file: string): { what: string; seconds: number }[];
