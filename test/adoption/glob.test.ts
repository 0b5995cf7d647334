import { it, expect } from 'vitest';
import { compileGlob } from '../../engine/correlate/keys.js';
it('globs', () => {
const cases: [string,string,boolean][] = [
 ['Shared/Kiosks/**','Shared/Kiosks',true],['Shared/Kiosks/**','Shared/Kiosks/A/B',true],['Shared/Kiosks/**','Shared/KiosksX',false],
 ['Service/*','Service/svc1',true],['Service/*','Service/a/b',false],['**/Kiosk*','A/B/Kiosk1',true],['**/Kiosk*','Kiosk2',true],['**/Kiosk*','A/xKiosk',false],
 ['Staff','Staff',true],['Staff','Staff/X',false],['**','anything/here',true],['A/**/B','A/B',true],['A/**/B','A/x/y/B',true],['A/**/B','A/xB',false]];
const bad = cases.filter(([g,p,w]) => compileGlob(g).test(p) !== w);
expect(bad).toEqual([]);
});
