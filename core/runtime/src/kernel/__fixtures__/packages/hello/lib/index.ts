import { definePlugin } from '@plugboard/plugin-api';

export default definePlugin({ name: 'hello', version: '2.0.0', core: '^0.1.0', setup() {} });
