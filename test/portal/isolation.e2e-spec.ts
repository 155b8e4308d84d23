import { describePortalIsolation } from './isolation-suite';

describePortalIsolation('portal isolation over HTTP');
