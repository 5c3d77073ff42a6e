/**
 * @alicloud/openapi-util is CommonJS with an ES-module-style default export; depending on the loader
 * (Node's ESM, vitest) the class sits at the namespace, `.default` or `.default.default`.
 * This is the independent ACS3 implementation that tests and the emulator use.
 */
import * as openApiUtilModule from '@alicloud/openapi-util';

type OpenApiUtilClass = (typeof openApiUtilModule.default)['default'];
const loaded = openApiUtilModule as unknown as { default?: { default?: unknown } };
export const OpenApiUtil = [loaded.default?.default, loaded.default, loaded].find(
  (candidate) => typeof (candidate as { getAuthorization?: unknown } | undefined)?.getAuthorization === 'function',
) as OpenApiUtilClass;
