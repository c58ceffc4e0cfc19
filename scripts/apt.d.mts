/** True when this process may install with apt-get (root on Debian). */
export declare function canAptInstall(): boolean;
/** `apt-get update` then `apt-get install -y` the packages, printing why; throws when it can't. */
export declare function aptInstall(packages: string[], why: string, options?: { recommends?: boolean }): void;
