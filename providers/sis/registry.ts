import type { SisConfig } from '../../engine/model/policy.js';
import type { SisSource } from '../../engine/model/provider.js';

/** SIS sources by the policy's `sis.format`, loaded lazily. */
export async function loadSisSource(format: SisConfig['format']): Promise<SisSource> {
  switch (format) {
    case 'oneroster-csv':
      return (await import('./oneroster-csv/index.js')).oneRosterCsvSource;
    case 'sds-csv':
      return (await import('./sds-csv/index.js')).sdsCsvSource;
    case 'oneroster-rest':
      return (await import('./oneroster-rest/index.js')).oneRosterRestSource;
  }
}
