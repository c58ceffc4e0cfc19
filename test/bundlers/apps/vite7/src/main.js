// The widget page: the package as installed, no config (this app runs Vite 7's dev server only).
import 'accura-id-liveness';
