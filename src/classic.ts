/**
 * The classic <script> build's entry: defines the tag, and gives a page without modules the public
 * API as the `AccuraIdLiveness` global (the first copy on the page keeps it, as it keeps the tag).
 */
import * as api from './accura-id-liveness.ts';

const page = globalThis as typeof globalThis & { AccuraIdLiveness?: typeof api };
page.AccuraIdLiveness ??= api;
