import type { SisConfig } from '../../engine/model/policy.js';
import type { SisSource } from '../../engine/model/provider.js';
import { errorDiag } from '../../engine/model/diagnostics.js';
import { InputError } from '../../engine/model/errors.js';

/** SIS sources by the policy's `sis.format`, loaded lazily. */
export async function loadSisSource(format: SisConfig['format']): Promise<SisSource> {
  switch (format) {
    case 'oneroster-csv':
      return (await import('./oneroster-csv/index.js')).oneRosterCsvSource;
    case 'sds-csv':
      return (await import('./sds-csv/index.js')).sdsCsvSource;
    case 'oneroster-rest':
      throw new InputError([errorDiag('sis.format', 'sis.format "oneroster-rest" is not available in this build yet; use oneroster-csv or sds-csv')]);
  }
}
