/**
 * The default product catalog: a telecom home-broadband range (fibre service, Wi-Fi router, static
 * IP add-on, streaming subscription and the bundle around them), used by `npm start`, the
 * simulators and the tests. The rules live in `fixtures/telecom-broadband-catalog.json` as data and
 * are validated here once, at load, so a broken edit fails at start-up with the path of the error.
 */
import catalogData from './fixtures/telecom-broadband-catalog.json' with { type: 'json' };
import { parseCatalog } from './catalog';
import type { Catalog } from './catalog';

/** The validated default catalog. */
export const defaultCatalog: Catalog = parseCatalog(catalogData);
