import { definePlugin } from '@plugboard/plugin-api';

export default definePlugin({ name: 'greeter-two', version: '0.1.0', core: '^0.1.0', setup() {} });
