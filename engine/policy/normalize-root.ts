import type { Policy, SchoolDef, SisConfig, StateConfig, TargetConfig } from '../model/policy.js';
import type { SectionContext } from './context.js';
import { DEFAULTS } from './defaults.js';
import type { WrittenRoot } from './written.js';

/**
 * rollcall.yaml's own keys: district, roles, schools, SIS source, state backend, targets.
 * Target settings stay opaque here; each provider validates its own (validateSettings).
 */

export type RootPart = Pick<Policy, 'district' | 'roles' | 'schools' | 'sis' | 'state' | 'targets'>;

function schools(ctx: SectionContext, w: WrittenRoot): SchoolDef[] {
  const out: SchoolDef[] = [];
  const seen = new Set<string>();
  (w.schools ?? []).forEach((s, i) => {
    if (!s?.code || s.name === undefined) return;
    if (seen.has(s.code)) {
      ctx.error('policy.duplicate-school', `School code "${s.code}" is declared twice`, ['schools', i, 'code']);
      return;
    }
    seen.add(s.code);
    out.push({ code: s.code, name: s.name });
  });
  return out;
}

function sis(w: WrittenRoot): SisConfig {
  const { format, path, ...settings } = w.sis ?? {};
  return { format: format ?? 'oneroster-csv', path: path ?? '', settings };
}

function state(ctx: SectionContext, w: WrittenRoot): StateConfig {
  const { backend = DEFAULTS.state.backend, ...rest } = w.state ?? {};
  if (backend === 'local') return { backend, settings: { path: rest.path ?? DEFAULTS.state.path } };
  if (rest.connection === undefined && rest.connectionEnv === undefined) {
    ctx.error(
      'policy.state-connection',
      'The postgres state backend needs connection settings: add `connectionEnv: ROLLCALL_PG_URL` (an environment variable holding the connection string) or `connection:`',
      ['state'],
    );
  }
  // Credentials never live in policy files, which are reviewed on pull requests.
  if (rest.connection !== undefined && /^[a-z]+:\/\/[^/@:]*:[^/@]*@/i.test(rest.connection)) {
    ctx.error('policy.secret-in-policy', 'state.connection contains a password: move it to an environment variable (connectionEnv or PGPASSWORD)', ['state', 'connection']);
  }
  return { backend, settings: { schema: DEFAULTS.state.schema, ...rest } };
}

function targets(ctx: SectionContext, w: WrittenRoot): TargetConfig[] {
  const out: TargetConfig[] = [];
  for (const [name, t] of Object.entries(w.targets ?? {})) {
    if (!t?.provider) continue;
    const { provider, ...settings } = t;
    const source = ctx.loc?.key(['targets', name]);
    out.push({ name, provider, settings, origin: source ? { id: `targets.${name}`, source } : { id: `targets.${name}` } });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function normalizeRoot(ctx: SectionContext, w: WrittenRoot): RootPart {
  return {
    district: { name: w.district?.name ?? '', domain: w.district?.domain ?? '' },
    roles: (w.roles ?? []).filter((r): r is string => r !== undefined),
    schools: schools(ctx, w),
    sis: sis(w),
    state: state(ctx, w),
    targets: targets(ctx, w),
  };
}
