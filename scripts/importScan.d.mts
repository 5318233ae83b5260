/** Types of importScan.mjs, for its test. */
export function maskSource(src: string): { code: string; strings: string[] };
export function importSpecifiers(src: string): Array<{ specifier: string; line: number }>;
