/**
 * The API's description: its OpenAPI 3.1 document, built from the route table and the routers'
 * zod schemas, and the router that serves it with a reference page.
 */
export { apiRoutes, buildOpenApiDocument, errorStatuses, type ApiRoute, type ErrorStatus } from './api-document';
export { listRoutes, type ServedRoute } from './list-routes';
export { openApiRouter } from './openapi-router';
