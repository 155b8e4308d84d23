import { configOrExit } from '../../../libs/config/src/config-or-exit';

const config = configOrExit();

async function bootstrap(): Promise<void> {
  // Loaded after the check: the app's modules read the configuration as they load.
  const { NestFactory } = await import('@nestjs/core');
  const { Logger } = await import('nestjs-pino');
  const { printableConfig } = await import('../../../libs/config/src');
  const { handleShutdownSignals, shutdownLogOf } = await import('../../../libs/observability/src/graceful-shutdown');
  const { startMetricsServer } = await import('../../../libs/observability/src/metrics-server');
  const { WorkerModule } = await import('./worker.module');

  const app = await NestFactory.create(WorkerModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const metricsServer = await startMetricsServer(config.WORKER_METRICS_PORT, config.LISTEN_HOST);
  handleShutdownSignals(app, {
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS,
    log: shutdownLogOf(logger),
    closeAlso: [metricsServer],
  });
  // The HTTP listener serves only the health endpoint.
  await app.listen(config.WORKER_PORT, config.LISTEN_HOST);
  logger.log({ config: printableConfig(config) }, 'configuration loaded', 'Bootstrap');
  // A parent such as the demo command waits for this before it prints URLs.
  process.send?.('listening');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
