import { types } from 'pg';

// Calendar dates stay as YYYY-MM-DD strings: the driver would otherwise turn
// them into Date objects at local midnight and shift them across zones.
types.setTypeParser(types.builtins.DATE, (value: string) => value);
