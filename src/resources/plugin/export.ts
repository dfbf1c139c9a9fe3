// `export --platform` of `Plugin`: every installed plugin but dev plugins, with the source dss-gitops recorded
// (a store version, a Git checkout) or, with no record, as a store plugin at its installed version (what a plugin
// installed by hand most often is). A plugin installed from a zip is left out with a warning: its archive is not
// in DSS to export. Settings are exported whole (`config`, `parameterSets`, `presets`), secrets as references.

import { isObject, type Json } from '../../base/json.js';
import { escapeInterpolation, exportStub, hideSecrets, isEmptyValue } from '../export-common.js';
import type { ExportedSecret, ResourceKind } from '../types.js';
import { listPlugins, readSettings } from './live.js';
import { recordedCodeEnv, recordedSource } from './source.js';

const STUB_SPEC: Json = { config: {}, parameterSets: [], presets: [], codeEnv: {} };

export const pluginExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  async listForExport(ctx, scope) {
    if (!scope.platform) return [];
    const docs = [];
    for (const plugin of (await listPlugins(ctx)).sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (plugin.isDev) continue;
      const recorded = recordedSource(await readSettings(ctx, plugin.id));
      if (recorded?.source === 'zip') {
        ctx.log.warn({ plugin: plugin.id }, 'plugin installed from a zip archive left out of the export: add its archive and a Plugin document by hand');
        continue;
      }
      const source =
        recorded?.source === 'git'
          ? { git: { gitRepositoryUrl: String(recorded.gitRepositoryUrl), gitCheckout: String(recorded.gitCheckout), ...(typeof recorded.gitSubpath === 'string' ? { gitSubpath: recorded.gitSubpath } : {}) } }
          : { store: { version: plugin.version } };
      docs.push(exportStub('Plugin', { name: plugin.id }, { source, ...STUB_SPEC }));
    }
    return docs;
  },

  exportSpec(doc, live) {
    const spec: Json = {};
    const main = live.find((u) => u.unit.block === undefined);
    const source = isObject(doc.spec.source) ? structuredClone(doc.spec.source) : {};
    // The version comes from what DSS has installed; a Git checkout is pinned by its ref, its version left out.
    if (isObject(source.store) && typeof main?.live.view.version === 'string') source.store.version = main.live.view.version;
    spec.source = source;
    const settings = live.find((u) => u.unit.block === 'settings')?.live.view ?? {};
    const secrets: ExportedSecret[] = [];
    const taken = new Set<string>();
    const id = doc.metadata.name;
    if (!isEmptyValue(settings.config)) spec.config = hideSecrets(escapeInterpolation(settings.config) as Json, [id], `Plugin/${id} spec.config`, taken, secrets);
    if (!isEmptyValue(settings.parameterSets)) spec.parameterSets = escapeInterpolation(settings.parameterSets);
    if (Array.isArray(settings.presets) && settings.presets.length > 0) {
      spec.presets = settings.presets.filter(isObject).map((preset) =>
        hideSecrets(escapeInterpolation(preset) as Json, [id, String(preset.name)], `Plugin/${id} spec.presets[${String(preset.name)}]`, taken, secrets),
      );
    }
    const codeEnv = live.find((u) => u.unit.block === 'code-env');
    // What the env was created with, when this tool created it; DSS does not say it otherwise.
    if (codeEnv) spec.codeEnv = (isObject(codeEnv.live.raw) ? recordedCodeEnv(codeEnv.live.raw) : undefined) ?? {};
    return { spec, ...(secrets.length > 0 ? { secrets } : {}) };
  },
};
