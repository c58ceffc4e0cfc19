import { Widget } from './widget.jsx';

export default function Page() {
  return <main><Widget /></main>;
}
