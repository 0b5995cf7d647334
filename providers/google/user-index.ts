import type { Directory } from './client.js';
import type { Transport } from './transport.js';
import type { GoogleSettings } from './settings.js';
import { anchorOf, toEmail } from './mapping.js';

/**
 * Username -> Google user id, learned from read() and from this process's own creates and
 * renames. Membership changes name their member by username only, and a username alone does
 * not say which domain the address is in (students often live in a sub-domain), so members
 * are resolved here: the index first, then the anchor (users.list query externalId:...), and
 * only as a last resort `username@domain`.
 */
export class UserIndex {
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly s: GoogleSettings,
    private readonly dir: Directory,
    private readonly t: Transport,
  ) {}

  remember(username: string, id: string): void {
    this.ids.set(username.toLowerCase(), id);
  }

  forget(username: string): void {
    this.ids.delete(username.toLowerCase());
  }

  /** A memberKey for the account: its id when known, else its address. */
  async memberKey(username: string, anchor: string | undefined): Promise<string> {
    const known = this.ids.get(username.toLowerCase());
    if (known) return known;
    if (anchor && !username.includes('@')) {
      const res = await this.t.call(() =>
        this.dir.users.list({ customer: this.s.customer, query: `externalId:'${anchor.replace(/'/g, '')}'`, maxResults: 10, fields: 'users(id,externalIds)' }),
      );
      const hit = (res.data.users ?? []).find((u) => anchorOf(this.s, u.externalIds) === anchor);
      if (hit?.id) {
        this.remember(username, hit.id);
        return hit.id;
      }
    }
    return toEmail(this.s, username);
  }
}
