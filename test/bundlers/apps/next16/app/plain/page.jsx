import { Ready } from '../shared.jsx';

// The same page without the widget: the baseline for the widget's share of the bytes.
export default function Plain() {
  return <main><Ready /></main>;
}
