import { admin, auth } from '@googleapis/admin';
import type { GoogleEmulator } from '../emulators/google/index.js';
import { ADMIN } from './helpers.js';

/** The real SDK client, wired to the emulator only by configuration (rootUrl, token URL). */
export function sdkClient(emu: GoogleEmulator, key = emu.serviceAccount) {
  const jwt = new auth.JWT({ email: key.client_email, key: key.private_key, scopes: ['https://www.googleapis.com/auth/admin.directory.user', 'https://www.googleapis.com/auth/admin.directory.group'], subject: ADMIN });
  jwt.transporter.interceptors.request.add({
    resolved: async (cfg) => {
      if (String(cfg.url) === 'https://oauth2.googleapis.com/token') cfg.url = new URL(emu.tokenUrl);
      return cfg;
    },
  });
  return admin({ version: 'directory_v1', auth: jwt, rootUrl: emu.url, retry: false });
}

/** Status and Google error body of a failed SDK call. */
export async function failure(p: Promise<unknown>): Promise<{ status: number; body: { error: { code: number; message: string; errors: { domain: string; reason: string; message: string }[] } }; headers: Headers }> {
  try {
    await p;
  } catch (e) {
    const r = (e as { response?: { status: number; data: unknown; headers: Headers } }).response;
    if (!r) throw e;
    return { status: r.status, body: r.data as never, headers: r.headers };
  }
  throw new Error('expected the call to fail');
}
