import { definePlugin } from '@plugboard/plugin-api';

export default definePlugin({ name: 'future', version: '1.2.0', core: '^2.0.0', setup() {} });
