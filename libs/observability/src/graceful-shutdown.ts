import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { WorkerHost } from '@nestjs/bullmq';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/** The part of a pino logger the shutdown writes to. */
export interface ShutdownLog {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Adapts a Nest logger (nestjs-pino's Logger) to the fields-then-message calls of the shutdown. */
export function shutdownLogOf(logger: LoggerService): ShutdownLog {
  return {
    info: (fields, message) => logger.log(fields, message, 'Shutdown'),
    error: (fields, message) => logger.error(fields, message, 'Shutdown'),
  };
}

let draining = false;

/** Whether this process has begun shutting down; readiness then returns 503. */
export function isDraining(): boolean {
  return draining;
}

export interface ShutdownOptions {
  /** Time from the signal to a forced exit with status 1. */
  timeoutMs: number;
  /**
   * Time the listener keeps accepting after the signal, while readiness
   * returns 503, so connections already on their way are served, not reset.
   */
  drainDelayMs: number;
  log: ShutdownLog;
  /** Other listeners of the process, such as the metrics server, closed after the app. */
  closeAlso?: Server[];
  /** Ends the process; tests pass their own. */
  exit?: (code: number) => void;
}

/**
 * Counts requests in flight. Once draining starts, every response carries
 * `Connection: close`, so no keep-alive socket carries a new request into
 * a server that is about to close.
 */
class RequestTracker {
  inFlight = 0;

  constructor(private readonly server: Server) {
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
      this.inFlight += 1;
      if (draining) res.setHeader('Connection', 'close');
      res.once('close', () => (this.inFlight -= 1));
    });
  }

  /**
   * Waits `delayMs` with the listener still open, then stops accepting and
   * resolves when every open connection has ended. Closing the listener at
   * once would reset connections still in the accept backlog, and closing
   * idle sockets at once would drop requests whose bytes have not been read.
   */
  async drain(delayMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Node closes idle keep-alive sockets once on close(); sockets that become idle later are closed here.
    const sweep = setInterval(() => this.server.closeIdleConnections(), 50);
    return closed.finally(() => clearInterval(sweep));
  }
}

/** Closes every BullMQ worker of the app; BullMQ's close waits for the jobs each one is running. */
async function closeWorkers(app: INestApplication): Promise<number> {
  let discovery: DiscoveryService;
  try {
    discovery = app.get(DiscoveryService, { strict: false });
  } catch {
    // An app without BullMQ has no discovery service and no workers.
    return 0;
  }
  const workers = discovery
    .getProviders()
    .map((wrapper) => wrapper.instance as unknown)
    .filter((instance): instance is WorkerHost => instance instanceof WorkerHost)
    .map(workerOf)
    .filter((worker) => worker !== null);
  await Promise.all(workers.map((worker) => worker.close()));
  return workers.length;
}

/** Returns the host's BullMQ worker, or null when Nest never created one (the getter throws then). */
function workerOf(host: WorkerHost): WorkerHost['worker'] | null {
  try {
    return host.worker;
  } catch {
    return null;
  }
}

/**
 * Installs the SIGTERM and SIGINT handling of an app process. It fails
 * readiness and keeps accepting for `drainDelayMs`, so connections already
 * on their way are served. Then it stops accepting, lets requests in flight finish, close the BullMQ
 * workers after their running jobs, then close the app (database, Redis,
 * browser) and exit 0. When that takes longer than the limit the process
 * exits 1; a job still running then keeps its lock until BullMQ's stalled
 * check hands it to another worker, so it is retried, not lost.
 *
 * Call it before the app listens, so every request is counted.
 */
export function handleShutdownSignals(app: INestApplication, options: ShutdownOptions): () => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const server = app.getHttpServer() as Server;
  const tracker = new RequestTracker(server);
  let stopping: Promise<void> | null = null;

  const stop = (signal: string): Promise<void> => {
    if (stopping) return stopping;
    const started = Date.now();
    draining = true;
    options.log.info({ signal, inFlight: tracker.inFlight, timeoutMs: options.timeoutMs }, 'shutdown started');
    const timer = setTimeout(() => {
      options.log.error({ signal, inFlight: tracker.inFlight, timeoutMs: options.timeoutMs }, 'shutdown timed out, exiting');
      exit(1);
    }, options.timeoutMs);

    stopping = (async () => {
      try {
        await tracker.drain(options.drainDelayMs);
        const workers = await closeWorkers(app);
        await app.close();
        for (const other of options.closeAlso ?? []) {
          other.closeAllConnections();
          await new Promise((resolve) => other.close(resolve));
        }
        options.log.info({ signal, workers, durationMs: Date.now() - started }, 'shutdown finished');
        clearTimeout(timer);
        exit(0);
      } catch (error) {
        options.log.error({ err: error, signal }, 'shutdown failed');
        clearTimeout(timer);
        exit(1);
      }
    })();
    return stopping;
  };

  // A second signal while stopping is logged and otherwise ignored, so
  // requests and jobs still get their time; the time limit still applies.
  const onSignal = (signal: string) => {
    if (stopping) options.log.info({ signal }, 'shutdown already in progress');
    void stop(signal);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return () => stop('manual');
}
