// App code both pages share, so the difference between them is the widget alone.
export function greet() {
  document.documentElement.dataset.app = 'ready';
}
