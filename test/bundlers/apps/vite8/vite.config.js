// Two pages, so the build measures the widget's share; nothing about the widget.
import { defineConfig } from 'vite';

export default defineConfig({
  build: { rollupOptions: { input: { main: 'index.html', plain: 'plain.html' } } },
});
