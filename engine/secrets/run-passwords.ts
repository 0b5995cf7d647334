import { errorDiag } from '../model/diagnostics.js';
import { InputError, RefusedError } from '../model/errors.js';
import { loadPolicyInput, openState, readSis, type RunOptions } from '../run/inputs.js';
import { CredentialStore, secretsDir } from './credential-store.js';
import { credentialsKey, KEY_ENV } from './key.js';
import { buildSheet, studentsOf, type Sheet } from './sheet.js';

/**
 * `rollcall passwords --class ID`: who is in the class comes from the SIS today; their
 * initial passwords from the encrypted store, opened with ROLLCALL_CREDENTIALS_KEY.
 */
export async function runPasswordSheet(classId: string, opts: RunOptions & { target?: string }): Promise<Sheet> {
  const env = opts.env ?? process.env;
  const key = credentialsKey(env);
  if (!key) throw new RefusedError('credentials.no-key', `${KEY_ENV} is not set: the initial passwords cannot be decrypted`);
  const loaded = await loadPolicyInput(opts);
  // A misspelled target would match no stored record and print every student as having none.
  if (opts.target !== undefined && !loaded.allTargets.some((t) => t.name === opts.target)) {
    throw new InputError([errorDiag('passwords.unknown-target', `no target ${JSON.stringify(opts.target)} in rollcall.yaml (targets: ${loaded.allTargets.map((t) => t.name).join(', ')})`)]);
  }
  // A delta set reads over the roster state last applied: state is read only for one.
  const { roster } = await readSis(loaded, opts, { enrollments: true }, async () => {
    const backend = openState(loaded, opts);
    try {
      return (await backend.read({ deferMaps: true })).sis;
    } finally {
      await backend.close();
    }
  });
  const cls = roster.classes.find((c) => c.sourcedId === classId);
  if (!cls) throw new InputError([errorDiag('passwords.unknown-class', `no class with sourcedId ${JSON.stringify(classId)} in the SIS export`)]);
  const school = roster.orgs.find((o) => o.sourcedId === cls.schoolSourcedId)?.name ?? '';
  const store = new CredentialStore(secretsDir(loaded.dir, env), key);
  return buildSheet(cls, school, studentsOf(roster, classId), store.readAll(), opts.target);
}
