/** mulberry32: fault schedules repeat exactly for a given seed. */
export { mulberry32 } from '../../../scripts/prng.js';
