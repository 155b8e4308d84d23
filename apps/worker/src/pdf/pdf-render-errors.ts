/**
 * Errors a PDF render rejects with. `retryable` is true when the same input
 * may succeed on another attempt. A timeout, a crashed browser or a renderer
 * that is shutting down does not depend on the HTML, so BullMQ should retry
 * the job.
 */
export class PdfRenderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PdfRenderError';
  }
}

export class PdfRenderTimeoutError extends PdfRenderError {
  constructor(
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `PDF render timed out after ${timeoutMs} ms and its page was closed. Raise PDF_RENDER_TIMEOUT_MS if documents this large are expected.`,
      true,
      options,
    );
    this.name = 'PdfRenderTimeoutError';
  }
}

/** Chromium exited or lost its connection while the render was running. */
export class PdfBrowserCrashedError extends PdfRenderError {
  constructor(options?: ErrorOptions) {
    super('Chromium exited or disconnected during the PDF render. The next render starts a new browser', true, options);
    this.name = 'PdfBrowserCrashedError';
  }
}

export class PdfBrowserLaunchError extends PdfRenderError {
  constructor(executablePath: string, options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`Chromium failed to start from CHROMIUM_PATH=${executablePath}${reason}`, true, options);
    this.name = 'PdfBrowserLaunchError';
  }
}

/** The renderer was closed, normally because the worker is shutting down, so another worker can take the job. */
export class PdfRendererClosedError extends PdfRenderError {
  constructor() {
    super('The PDF renderer is closed because the worker is shutting down.', true);
    this.name = 'PdfRendererClosedError';
  }
}
