import type { paths } from './api-types.ts';

/**
 * Types of the JSON API taken from the generated OpenAPI types (web/src/api-types.ts, written by
 * `npm run build`), so the pages use what the server's schemas say instead of hand-copied
 * interfaces: a changed server schema fails the web build where a page no longer fits.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The JSON of a route's success answer (200, else 201, else 202). */
export type ApiResponse<P extends keyof paths, M extends Method = 'get'> =
  Operation<P, M> extends { responses: infer R }
    ? R extends { 200: infer Ok }
      ? Json<Ok>
      : R extends { 201: infer Created }
        ? Json<Created>
        : R extends { 202: infer Accepted }
          ? Json<Accepted>
          : never
    : never;

/** The JSON body a route takes. */
export type ApiBody<P extends keyof paths, M extends Method> = Operation<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;
