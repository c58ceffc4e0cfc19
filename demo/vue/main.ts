/** Vue 3: isCustomElement, v-bind of a property (getToken) and @liveness-result. */
import { createApp, ref } from 'vue';
import 'accura-id-liveness';
import type { LivenessResultEvent } from 'accura-id-liveness';
import { getToken } from '../token.ts';

const app = createApp({
  setup() {
    const result = ref('');
    const onResult = (event: LivenessResultEvent) => (result.value = `${event.detail.verdict} ${event.detail.score}`);
    return { result, getToken, onResult };
  },
  template: `
    <h1>Vue 3</h1>
    <accura-id-liveness
      endpoint="/api/id-liveness"
      country-code="FRA"
      card-code="MRZ"
      :getToken="getToken"
      @liveness-result="onResult"
    ></accura-id-liveness>
    <output id="vue-result">{{ result }}</output>
  `,
});
app.config.compilerOptions.isCustomElement = (tag) => tag.startsWith('accura-');
app.mount('#app');
