import { Attribute, Change as Mod } from 'ldapts';
import type { AttrMap } from '../../engine/model/plan.js';

/** Small builders for LDAP modify operations, plus typed reads of plan attribute maps. */

export function replace(type: string, vals: string[] | Buffer[]): Mod {
  return new Mod({ operation: 'replace', modification: new Attribute({ type, values: vals }) });
}

export function addValues(type: string, vals: string[] | Buffer[]): Mod {
  return new Mod({ operation: 'add', modification: new Attribute({ type, values: vals }) });
}

export function deleteValues(type: string, vals: string[] | Buffer[]): Mod {
  return new Mod({ operation: 'delete', modification: new Attribute({ type, values: vals }) });
}

/** A string attribute of a plan change; '' when absent or null. */
export function text(map: AttrMap | undefined, key: string): string {
  const v = map?.[key];
  return typeof v === 'string' ? v : '';
}

export function has(map: AttrMap | undefined, key: string): boolean {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, key);
}

export function list(map: AttrMap | undefined, key: string): string[] {
  const v = map?.[key];
  return Array.isArray(v) ? v : [];
}

/** Non-empty value -> [value]; empty -> [] (replace with no values deletes the attribute). */
export function opt(value: string): string[] {
  return value === '' ? [] : [value];
}
