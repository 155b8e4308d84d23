import { Controller, Get, Header } from '@nestjs/common';

import { Public } from '../../../../../libs/auth/src/public.decorator';
import { openApiDocument } from '../schema/openapi-document';
import { renderDocsPage } from './docs-page';

/** The API's documentation, readable without a key. */
@Public()
@Controller('api/v1')
export class ApiDocsController {
  private page?: string;

  @Get('openapi.json')
  document(): object {
    return openApiDocument();
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  docs(): string {
    this.page ??= renderDocsPage(openApiDocument());
    return this.page;
  }
}
