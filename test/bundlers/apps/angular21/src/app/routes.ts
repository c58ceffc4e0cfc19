import type { Routes } from '@angular/router';

// Two lazy pages, identical but for the widget: the difference between them is the widget's share.
export const routes: Routes = [
  { path: '', loadComponent: () => import('./widget').then((m) => m.WidgetPage) },
  { path: 'plain', loadComponent: () => import('./plain').then((m) => m.PlainPage) },
];
