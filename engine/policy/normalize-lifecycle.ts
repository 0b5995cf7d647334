import type { CalendarHold, LifecyclePolicy, LifecycleStage } from '../model/policy.js';
import type { SectionContext } from './context.js';
import { DEFAULTS } from './defaults.js';
import { pathTemplate } from './normalize-placement.js';
import type { WrittenLifecycle, WrittenStage } from './written.js';

type StageKey = 'withdrawal' | 'graduation' | 'staffDeparture';

function stage(ctx: SectionContext, w: WrittenStage | undefined, key: StageKey): LifecycleStage {
  const id = `lifecycle.${key}`;
  const source = w ? ctx.at([key]) : undefined;
  const d = DEFAULTS.lifecycle.stage;
  return {
    origin: source ? { id, source } : { id },
    suspendAfterDays: w?.suspendAfterDays ?? d.suspendAfterDays,
    deleteAfterDays: w?.deleteAfterDays === undefined ? d.deleteAfterDays : w.deleteAfterDays,
    path: w?.path === undefined ? d.path : pathTemplate(ctx, w.path, [key, 'path'], id),
  };
}

export function normalizeLifecycle(ctx: SectionContext, w: WrittenLifecycle | undefined): LifecyclePolicy {
  const holds: CalendarHold[] = [];
  (w?.holds ?? []).forEach((h, i) => {
    if (!h) return;
    const origin = ctx.origin(['holds', i], h.id);
    if (h.from === undefined || h.to === undefined || h.reason === undefined) return;
    // ISO dates compare as text.
    if (h.from > h.to) {
      ctx.error('policy.hold-dates', `Hold "${origin.id}" ends before it starts: from ${h.from} is after to ${h.to}`, ['holds', i, 'from']);
      return;
    }
    const blocks = (h.blocks ?? DEFAULTS.lifecycle.holdBlocks).filter((b): b is 'disable' | 'delete' => b !== undefined);
    holds.push({ origin, from: h.from, to: h.to, reason: h.reason, blocks: [...blocks] });
  });
  return {
    preEnrollmentDays: w?.preEnrollmentDays ?? DEFAULTS.lifecycle.preEnrollmentDays,
    withdrawal: stage(ctx, w?.withdrawal, 'withdrawal'),
    graduation: stage(ctx, w?.graduation, 'graduation'),
    staffDeparture: stage(ctx, w?.staffDeparture, 'staffDeparture'),
    holds,
  };
}
