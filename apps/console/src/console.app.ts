import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';

import { loadConfig } from '../../../libs/config/src';
import { configureWebApp } from '../../../libs/web/src/web-app';
import { ConsoleModule } from './console.module';

const VIEWS_DIR = join(__dirname, 'views');
const PUBLIC_DIR = join(__dirname, 'public');

/** Builds the staff console without listening, so tests can start it on any port. */
export async function createConsoleApp(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ConsoleModule, { bufferLogs: true, bodyParser: false });
  return configureWebApp(app, loadConfig(), { views: VIEWS_DIR, assets: PUBLIC_DIR }, 'console');
}
