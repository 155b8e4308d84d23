import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';

import { Public } from '../../../../../libs/auth/src/public.decorator';
import { ApiKeyGuard } from '../http/api-key.guard';
import { ApiPage, ApiRow } from './resource-reader';
import { ApiResourcesService } from './api-resources.service';

/**
 * The resources of the integration API. Staff sign-in does not apply here,
 * hence @Public(): ApiKeyMiddleware authenticates the request's key, and
 * ApiKeyGuard checks it again with its scope before any handler runs.
 */
@Public()
@UseGuards(ApiKeyGuard)
@Controller('api/v1')
export class ApiResourcesController {
  constructor(private readonly resources: ApiResourcesService) {}

  @Get(':resource')
  list(@Param('resource') resource: string, @Query() query: Record<string, unknown>): Promise<ApiPage> {
    return this.resources.list(resource, query);
  }

  @Get(':resource/:externalId')
  get(@Param('resource') resource: string, @Param('externalId') externalId: string): Promise<ApiRow> {
    return this.resources.get(resource, externalId);
  }

  @Put(':resource/:externalId')
  @HttpCode(200)
  async put(
    @Param('resource') resource: string,
    @Param('externalId') externalId: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApiRow> {
    const result = await this.resources.put(resource, externalId, body, req);
    res.status(result.status);
    return result.row;
  }

  @Delete(':resource/:externalId')
  @HttpCode(204)
  delete(@Param('resource') resource: string, @Param('externalId') externalId: string, @Req() req: Request): Promise<void> {
    return this.resources.delete(resource, externalId, req);
  }
}
