/** The plugin folder's name, which is also its slug, its text domain and the zip's top folder. */
export declare const PLUGIN_SLUG: string;
/** The built files the plugin serves from assets/. */
export declare const PLUGIN_ASSETS: string[];
/** The libraries bundled into the built scripts: their licence file and SPDX identifier. */
export declare const BUNDLED_LICENSES: Record<string, [file: string, spdx: string]>;
/** Stages the plugin in dist/wordpress/ and zips it. Needs dist/ built first. */
export declare function buildWordPressZip(root: string): { zip: string; staged: string; bytes: number; hashes: Record<string, string> };
