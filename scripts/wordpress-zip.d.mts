/** The plugin folder's name, which is also its slug and the zip's top folder. */
export declare const PLUGIN_SLUG: string;
/** The built files the plugin serves from assets/. */
export declare const PLUGIN_ASSETS: string[];
/** Stages the plugin in dist/wordpress/ and zips it. Needs dist/ built first. */
export declare function buildWordPressZip(root: string): { zip: string; staged: string; bytes: number; hashes: Record<string, string> };
