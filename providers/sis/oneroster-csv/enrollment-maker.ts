import type { Enrollment } from '../../../engine/model/people.js';
import { makeEnrollment } from './row-values.js';

/**
 * Makes the Enrollment objects of one read. Plans read only an enrollment's class, role, flag
 * and dates; its own sourcedId matters only to a delta set (which finds enrollments by it), to
 * the roster snapshot kept as the next delta's base, and to the parse cache. A read that keeps
 * none of those drops the ids, and then enrollments alike (same class, role, primary flag and
 * dates) are one shared, frozen object: a district of a million people has ~9 million
 * enrollment rows but a few hundred thousand distinct ones, and every object kept costs
 * ~100 bytes and a copy by each young-generation GC.
 */
export class EnrollmentMaker {
  private readonly byClass = new Map<string, Enrollment[]>();

  constructor(readonly keepIds: boolean) {}

  make(classSourcedId: string, role: string, primary: boolean, sourcedId: string, begin: string | undefined, end: string | undefined): Enrollment {
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
