export { startGraphEmulator, type GraphEmulator } from './server.js';
export type { GraphEmulatorOptions, FaultOptions, ThrottleOptions } from './types.js';
export { validUpn } from './users.js';
