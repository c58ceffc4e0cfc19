// `webpack` through its Node API (what webpack-cli calls), then the two static pages beside the bundles.
import { cpSync } from 'node:fs';
import webpack from 'webpack';
import config from './webpack.config.js';

const stats = await new Promise((resolve, reject) => webpack(config, (error, result) => (error ? reject(error) : resolve(result))));
console.log(stats.toString({ colors: false, modules: false }));
if (stats.hasErrors()) process.exit(1);
cpSync(new URL('./public', import.meta.url), new URL('./dist', import.meta.url), { recursive: true });
