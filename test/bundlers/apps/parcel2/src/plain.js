// The same page without the widget: the baseline for the widget's share of the bytes.
import { greet } from './shared.js';

greet();
