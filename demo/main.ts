import '../src/accura-id-liveness.ts';
