// MikroORM keeps entity metadata on globalThis, and under Jest that storage
// outlives the test file that filled it. Entities of an earlier file come from
// another realm, where Map checks fail, so each file starts with empty storage.
(globalThis as Record<string, unknown>)['mikro-orm-metadata'] = {};
