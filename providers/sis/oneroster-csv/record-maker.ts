import type { Enrollment, PersonRole } from '../../../engine/model/people.js';
import { makeEnrollment } from './row-values.js';

/**
 * Makes the Enrollment and PersonRole objects of one read. Plans read only their values (class
 * or org, role, flags, dates); their own sourcedIds matter only to a delta set (which finds
 * records by them), to the roster snapshot kept as the next delta's base, and to the parse
 * cache. A read that keeps none of those drops the ids, and then records alike are one shared,
 * frozen object: a district of a million people has ~9 million enrollment rows but a few
 * hundred thousand distinct ones, and every object kept costs ~100 bytes and a copy by each
 * young-generation GC.
 */
export class RecordMaker {
  private readonly byClass = new Map<string, Enrollment[]>();
  private readonly byOrg = new Map<string, PersonRole[]>();

  constructor(readonly keepIds: boolean) {}

  enrollment(classSourcedId: string, role: string, primary: boolean, sourcedId: string, begin: string | undefined, end: string | undefined): Enrollment {
    if (this.keepIds) return makeEnrollment(classSourcedId, role, primary, sourcedId, begin, end);
    // An empty date is no date (as makeEnrollment has it): compared as undefined, or it would never match.
    const beginDate = begin || undefined;
    const endDate = end || undefined;
    let alike = this.byClass.get(classSourcedId);
    if (alike === undefined) {
      alike = [];
      this.byClass.set(classSourcedId, alike);
    }
    for (const e of alike) if (e.role === role && e.primary === primary && e.beginDate === beginDate && e.endDate === endDate) return e;
    const made = sharedEnrollment(classSourcedId, role, primary, beginDate, endDate);
    alike.push(made);
    return made;
  }

  /** A role record; its properties in the order of row-values.ts roleValue (id, then dates). */
  role(role: string, orgSourcedId: string, roleType: PersonRole['roleType'], sourcedId: string, begin: string | undefined, end: string | undefined): PersonRole {
    const beginDate = begin || undefined;
    const endDate = end || undefined;
    if (this.keepIds) {
      const r: PersonRole = { role, orgSourcedId, roleType, sourcedId };
      if (beginDate) r.beginDate = beginDate;
      if (endDate) r.endDate = endDate;
      return r;
    }
    let alike = this.byOrg.get(orgSourcedId);
    if (alike === undefined) {
      alike = [];
      this.byOrg.set(orgSourcedId, alike);
    }
    for (const r of alike) if (r.role === role && r.roleType === roleType && r.beginDate === beginDate && r.endDate === endDate) return r;
    const made: PersonRole = { role, orgSourcedId, roleType };
    if (beginDate) made.beginDate = beginDate;
    if (endDate) made.endDate = endDate;
    alike.push(Object.freeze(made));
    return made;
  }
}

/**
 * An enrollment without an id, frozen because many people hold it. One literal per combination
 * of optional dates, as makeEnrollment does, so each has its final shape.
 */
export function sharedEnrollment(classSourcedId: string, role: string, primary: boolean, beginDate: string | undefined, endDate: string | undefined): Enrollment {
  if (beginDate && endDate) return Object.freeze({ classSourcedId, role, primary, beginDate, endDate });
  if (beginDate) return Object.freeze({ classSourcedId, role, primary, beginDate });
  if (endDate) return Object.freeze({ classSourcedId, role, primary, endDate });
  return Object.freeze({ classSourcedId, role, primary });
}
