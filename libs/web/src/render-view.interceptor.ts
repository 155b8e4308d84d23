import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { from, Observable, switchMap } from 'rxjs';

/** A handler result that names the template to render with it. */
export interface ViewResult {
  view: string;
  [key: string]: unknown;
}

function isViewResult(value: unknown): value is ViewResult {
  return typeof value === 'object' && value !== null && typeof (value as ViewResult).view === 'string';
}

/** Renders handler results of the form { view, ...data }, so a handler can pick its template. */
@Injectable()
export class RenderViewInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      switchMap((result: unknown) => {
        if (!isViewResult(result)) return from([result]);
        const { view, ...data } = result;
        return from(
          new Promise<string>((resolve, reject) => {
            res.render(view, data, (error: Error | null, html?: string) => {
              if (error) return reject(error);
              res.type('html');
              resolve(html ?? '');
            });
          }),
        );
      }),
    );
  }
}
