/**
 * Angular: a standalone component with CUSTOM_ELEMENTS_SCHEMA, [getToken] and (liveness-result).
 * Compiled just in time in the browser (@angular/compiler), so Vite alone builds it.
 */
import '@angular/compiler';
import { CUSTOM_ELEMENTS_SCHEMA, Component, provideZonelessChangeDetection, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import 'accura-id-liveness';
import type { LivenessResultEvent } from 'accura-id-liveness';
import { getToken } from '../token.ts';

@Component({
  selector: 'app-root',
  standalone: true,
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <h1>Angular</h1>
    <accura-id-liveness
      endpoint="/api/id-liveness"
      country-code="ARE"
      card-code="MRZ"
      [getToken]="getToken"
      (liveness-result)="onResult($event)"
    ></accura-id-liveness>
    <output id="angular-result">{{ result() }}</output>
  `,
})
class AppComponent {
  readonly getToken = getToken;
  readonly result = signal('');
  onResult(event: Event): void {
    const { verdict, score } = (event as LivenessResultEvent).detail;
    this.result.set(`${verdict} ${score}`);
  }
}

bootstrapApplication(AppComponent, { providers: [provideZonelessChangeDetection()] }).catch((error) => console.error(error));
