export {};

throw new Error('the native driver is missing');
