/** Keeps the test database after a run, so a failure can be inspected; the next run drops it. */
export default async function globalTeardown(): Promise<void> {}
