// `npm run bench`: the reconciler's plan at scale against the simulator (see bench/plan-scale.ts for options).

import { benchPlanScale } from './plan-scale.js';

await benchPlanScale();
