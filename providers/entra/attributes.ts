/**
 * Where rollcall keeps its two values on an Entra user: the anchor (default `employeeId`) and
 * the logical path (default `onPremisesExtensionAttributes.extensionAttribute1`). Extension
 * attributes hold 1,024 characters but filter only as advanced queries
 * (`ConsistencyLevel: eventual` + `$count=true`); `employeeId` holds 16 and filters plainly;
 * `department` holds 64 and is visible in the address book.
 */

export type UserAttrName = 'employeeId' | 'department' | `extensionAttribute${number}`;

export interface AttrAccess {
  name: UserAttrName;
  /** Property to put in `$select`. */
  select: string;
  /** Property path for `$filter`. */
  filterPath: string;
  /** Whether filtering needs the advanced-query header. */
  advanced: boolean;
  maxLength: number;
  get(user: Record<string, unknown>): string | null;
  patch(value: string | null): Record<string, unknown>;
}

const EXT = /^extensionAttribute([1-9]|1[0-5])$/;

export function isUserAttrName(name: unknown): name is UserAttrName {
  return name === 'employeeId' || name === 'department' || (typeof name === 'string' && EXT.test(name));
}

export function attrAccess(name: UserAttrName): AttrAccess {
  if (EXT.test(name)) {
    return {
      name,
      select: 'onPremisesExtensionAttributes',
      filterPath: `onPremisesExtensionAttributes/${name}`,
      advanced: true,
      maxLength: 1024,
      get: (u) => {
        const ext = u['onPremisesExtensionAttributes'];
        const v = ext && typeof ext === 'object' ? (ext as Record<string, unknown>)[name] : undefined;
        return typeof v === 'string' && v !== '' ? v : null;
      },
      patch: (value) => ({ onPremisesExtensionAttributes: { [name]: value } }),
    };
  }
  return {
    name,
    select: name,
    filterPath: name,
    advanced: false,
    maxLength: name === 'employeeId' ? 16 : 64,
    get: (u) => (typeof u[name] === 'string' && u[name] !== '' ? (u[name] as string) : null),
    patch: (value) => ({ [name]: value }),
  };
}

/** An OData string literal: quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
