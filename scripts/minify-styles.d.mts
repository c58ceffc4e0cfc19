import type { Plugin } from 'vite';
/** Minifies the CSS inside `*.styles.ts` (comments and white space). */
export declare function minifyStyles(): Plugin;
