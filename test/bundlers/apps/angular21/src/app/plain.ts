import { Component } from '@angular/core';

@Component({ selector: 'app-plain', template: '<main id="plain"></main>' })
export class PlainPage {}
