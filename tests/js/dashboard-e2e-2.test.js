// Shard 2 of 3 of the dashboard's end-to-end suite (tests/js/helpers/dashboard-e2e.js).
import { dashboardSuite } from './helpers/dashboard-e2e.js';

dashboardSuite(1, 3);
