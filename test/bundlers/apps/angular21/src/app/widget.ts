import 'accura-id-liveness';
import { CUSTOM_ELEMENTS_SCHEMA, Component } from '@angular/core';

@Component({
  selector: 'app-widget',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: '<main><accura-id-liveness country-code="USA" card-code="MRZ"></accura-id-liveness></main>',
})
export class WidgetPage {}
