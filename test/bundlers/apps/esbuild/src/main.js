// The widget page: the package as installed, no config.
import 'accura-id-liveness';
import { greet } from './shared.js';

greet();
