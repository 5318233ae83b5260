export default { name: 'not-a-plugin', version: '0.1.0', core: '^0.1.0', setup() {} };
