import { configOrExit } from '../../../libs/config/src/config-or-exit';

const config = configOrExit();

async function bootstrap(): Promise<void> {
  // Loaded after the check: the app's modules read the configuration as they load.
  const { Logger } = await import('nestjs-pino');
  const { printableConfig } = await import('../../../libs/config/src');
  const { handleShutdownSignals, shutdownLogOf } = await import('../../../libs/observability/src/graceful-shutdown');
  const { startMetricsServer } = await import('../../../libs/observability/src/metrics-server');
  const { createPortalApp } = await import('./portal.app');

  const app = await createPortalApp();
  const logger = app.get(Logger);
  const metricsServer = await startMetricsServer(config.PORTAL_METRICS_PORT, config.LISTEN_HOST);
  handleShutdownSignals(app, {
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS,
    log: shutdownLogOf(logger),
    closeAlso: [metricsServer],
  });
  await app.listen(config.PORTAL_PORT, config.LISTEN_HOST);
  logger.log({ config: printableConfig(config) }, 'configuration loaded', 'Bootstrap');
  // A parent such as the demo command waits for this before it prints URLs.
  process.send?.('listening');
}


bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
