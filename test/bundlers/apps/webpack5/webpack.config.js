// A plain production build with two entries (widget page, baseline page); nothing about the widget.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: { main: './src/main.js', plain: './src/plain.js' },
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), clean: true },
};
