import { definePlugin } from '@plugboard/plugin-api';

export default definePlugin({ name: 'solo', version: '0.3.0', core: '^0.1.0', setup() {} });
