import type { HTTPRequest, Page } from 'puppeteer-core';

/**
 * Cuts a page off from everything but its own HTML. Call it before
 * setContent(), which writes the HTML into the page's blank document, so the
 * document itself needs no request. Templates add a CSP meta tag as well, but
 * tenant text reaches the HTML, so nothing here relies on it.
 *
 * Every request is aborted except `data:` URLs, which carry their bytes
 * inline. Chromium's proxy flags (see CHROMIUM_FLAGS) stop anything that
 * interception misses.
 */
export async function lockDownPage(page: Page, onBlocked: (request: HTTPRequest) => void): Promise<void> {
  await page.setJavaScriptEnabled(false);
  await page.setBypassServiceWorker(true);
  await page.setOfflineMode(true);
  await page.setRequestInterception(true);

  page.on('request', (request) => {
    if (isAllowed(page, request)) {
      request.continue().catch(ignoreClosedPage);
      return;
    }

    onBlocked(request);
    // net::ERR_ABORTED cancels a navigation quietly. Other error codes make
    // Chromium replace the document with an error page, which a
    // <meta http-equiv="refresh"> would otherwise trigger.
    request.abort('aborted').catch(ignoreClosedPage);
  });
}

function isAllowed(page: Page, request: HTTPRequest): boolean {
  // Even a data: URL must not replace the document being printed.
  if (request.isNavigationRequest() && request.frame() === page.mainFrame()) return false;

  return request.url().startsWith('data:');
}

/** A request can outlive its page when a render times out, and continuing or aborting it then fails as expected. */
function ignoreClosedPage(): void {}
