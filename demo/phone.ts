/** The handoff phone page's script in `npm start` (the backend serves the page at /m/<secret>): just the widget. */
import '../src/accura-id-liveness.ts';
