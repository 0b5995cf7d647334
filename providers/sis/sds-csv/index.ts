import type { SisReadOptions, SisReadResult, SisSource } from '../../../engine/model/provider.js';
import { readSdsCsv } from './read.js';

/**
 * Microsoft School Data Sync CSV as a SIS source (policy `sis.format: sds-csv`).
 * SDS exports are always full syncs, so the roster is `bulk`: absence means withdrawal.
 */
export const sdsCsvSource = {
  read(options: SisReadOptions): Promise<SisReadResult> {
    return readSdsCsv(options.location, options.progress ? { progress: options.progress } : {});
  },
} satisfies SisSource;

export { readSdsCsv, type ReadSdsOptions } from './read.js';
export { detectVersion, type SdsVersion } from './detect.js';
