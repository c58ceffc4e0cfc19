export function unpackDebianPackages(packages: string[], cache: string, expect: string[], why: string): string;
