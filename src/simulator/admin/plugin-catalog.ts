// What the simulated node can install plugins from, since it reaches no network: a plugin store that knows a few
// plugins (each at its current version: DSS's `installFromStore` takes a plugin id and installs the store's
// current version, it has no version to ask for), and a Git server that knows one repository and its refs.
// A plugin's descriptor is what its `plugin.json` says (id, version, meta, params) plus what DSS derives from the
// plugin's files: its parameter sets (`accessibleParameterSetDescs`) and whether it has a code env (`codeEnvSpec`).

import type { Json } from '../design/state.js';

export interface ParameterSetDesc {
  /** The parameter set's id; presets of the set have it as `type` (DSS's `elementType`). */
  id: string;
  elementType: string;
  desc: { meta: Json; params: Json[]; pluginParams: Json[] };
}

export interface PluginDesc {
  id: string;
  version: string;
  meta: { label: string; description: string };
  /** The plugin-level settings' parameters (`config`). */
  params: Json[];
  parameterSets: ParameterSetDesc[];
  /** Present when the plugin ships a code env (`code-env/python/desc.json`). */
  codeEnvSpec?: Json;
}

function parameterSet(pluginId: string, id: string, params: Json[]): ParameterSetDesc {
  return { id, elementType: `${pluginId}_${id}`, desc: { meta: { label: id }, params, pluginParams: [] } };
}

const PYTHON_ENV: Json = { envLang: 'PYTHON', acceptedPythonInterpreters: ['PYTHON39', 'PYTHON310', 'PYTHON311'], forceConda: false };

/** The store's plugins at their current version. */
export function storeCatalog(): Record<string, PluginDesc> {
  return {
    googlesheets: {
      id: 'googlesheets',
      version: '1.3.0',
      meta: { label: 'Google Sheets', description: 'Read and write Google Sheets' },
      params: [],
      parameterSets: [
        parameterSet('googlesheets', 'oauth-credentials', [
          { name: 'clientId', type: 'STRING' },
          { name: 'clientSecret', type: 'PASSWORD' },
        ]),
      ],
      codeEnvSpec: PYTHON_ENV,
    },
    'timeseries-preparation': {
      id: 'timeseries-preparation',
      version: '2.0.4',
      meta: { label: 'Time Series Preparation', description: 'Resample, window and extrema of time series' },
      params: [],
      parameterSets: [],
      codeEnvSpec: PYTHON_ENV,
    },
    'tableau-hyper-export': {
      id: 'tableau-hyper-export',
      version: '0.5.1',
      meta: { label: 'Tableau Hyper', description: 'Export datasets to Tableau Hyper files' },
      params: [{ name: 'defaultSchema', type: 'STRING', defaultValue: 'public' }],
      parameterSets: [],
    },
  };
}

export interface GitRepository {
  /** `gitSubpath` → the plugin found there, by `gitCheckout` (a branch, a tag, or a commit id). */
  plugins: Record<string, Record<string, PluginDesc>>;
}

function geoTools(version: string): PluginDesc {
  return {
    id: 'geo-tools',
    version,
    meta: { label: 'Geo tools', description: 'Geocoding and distance recipes' },
    params: [{ name: 'provider', type: 'STRING', defaultValue: 'nominatim' }],
    parameterSets: [parameterSet('geo-tools', 'geocoder', [{ name: 'endpoint', type: 'STRING' }, { name: 'apiKey', type: 'PASSWORD' }])],
    codeEnvSpec: PYTHON_ENV,
  };
}

/** The repositories the node can clone, by URL. The plugin of geo-tools sits at the root and under `plugin/`. */
export function gitCatalog(): Record<string, GitRepository> {
  const byRef = {
    'v1.0.0': geoTools('1.0.0'),
    'v1.1.0': geoTools('1.1.0'),
    main: geoTools('1.1.0'),
    '4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e': geoTools('1.0.0'),
  };
  return { 'https://git.example.com/dss/geo-tools.git': { plugins: { '': byRef, plugin: byRef } } };
}
