// The installed plugins of the simulated design node: each one's descriptor, its settings as stored (fields DSS
// knows nothing about included) and its plugin-managed code env. Installing from the store, a Git repository or a
// zip all end in `installPlugin`; what differs is where the descriptor comes from (see plugin-catalog.ts).

import { illegalArgument, notFound } from '../errors.js';
import type { DesignState, Json } from '../design/state.js';
import type { PluginDesc } from './plugin-catalog.js';

export interface PluginCodeEnv {
  envName: string;
  pythonInterpreter: string | null;
  conda: boolean;
}

export interface InstalledPlugin {
  desc: PluginDesc;
  /** `GET /plugins/{id}/settings` without `accessibleParameterSetDescs`, which is derived from `desc`. */
  settings: Json;
  codeEnv?: PluginCodeEnv;
}

export interface PluginsState {
  installed: Record<string, InstalledPlugin>;
}

export function pluginsOf(state: DesignState): PluginsState {
  state.plugins ??= { installed: {} };
  return state.plugins;
}

export function findPlugin(state: DesignState, id: string): InstalledPlugin {
  const plugin = Object.hasOwn(pluginsOf(state).installed, id) ? pluginsOf(state).installed[id] : undefined;
  if (!plugin) throw notFound(`Plugin not found: ${id}`);
  return plugin;
}

export function isInstalled(state: DesignState, id: string): boolean {
  return Object.hasOwn(pluginsOf(state).installed, id);
}

/** The default value of each parameter that has one, as DSS fills a fresh plugin's `config`. */
function defaultsOf(params: Json[]): Json {
  const config: Json = {};
  for (const p of params) if (typeof p.name === 'string' && p.defaultValue !== undefined) config[p.name] = p.defaultValue;
  return config;
}

function freshSettings(desc: PluginDesc): Json {
  return {
    config: defaultsOf(desc.params),
    presets: [],
    parameterSets: desc.parameterSets.map((s) => ({
      name: s.id,
      type: s.elementType,
      defaultPermission: { definableInline: true, definableAtProjectLevel: true },
      permissions: [],
    })),
  };
}

/**
 * Installs (or, with `update`, re-installs) a plugin. An update keeps the settings, adds the parameter sets a new
 * version brings, and keeps the code env, as DSS does.
 */
export function installPlugin(state: DesignState, desc: PluginDesc, update: boolean): InstalledPlugin {
  const plugins = pluginsOf(state).installed;
  const existing = Object.hasOwn(plugins, desc.id) ? plugins[desc.id] : undefined;
  if (!update && existing) throw illegalArgument(`Plugin already installed: ${desc.id}`);
  if (update && !existing) throw notFound(`Plugin not found: ${desc.id}`);
  const settings = existing ? existing.settings : freshSettings(desc);
  if (existing) {
    const sets = Array.isArray(settings.parameterSets) ? (settings.parameterSets as Json[]) : [];
    for (const s of freshSettings(desc).parameterSets as Json[]) if (!sets.some((t) => t.name === s.name)) sets.push(s);
    settings.parameterSets = sets;
  }
  const installed: InstalledPlugin = { desc, settings, ...(existing?.codeEnv ? { codeEnv: existing.codeEnv } : {}) };
  plugins[desc.id] = installed;
  return installed;
}

/** `GET /plugins/`: what the reference shows of each plugin. */
export function pluginListItem(plugin: InstalledPlugin): Json {
  return { id: plugin.desc.id, version: plugin.desc.version, isDev: false, meta: structuredClone(plugin.desc.meta) };
}

export function settingsView(plugin: InstalledPlugin): Json {
  return {
    ...structuredClone(plugin.settings),
    accessibleParameterSetDescs: structuredClone(plugin.desc.parameterSets),
  };
}

/**
 * `POST /plugins/{id}/settings`: the body replaces the settings, except what DSS derives (the parameter set
 * descriptors). A preset must name a parameter set of the plugin by its `type`.
 */
export function saveSettings(plugin: InstalledPlugin, body: Json): void {
  const { accessibleParameterSetDescs: _derived, ...settings } = structuredClone(body);
  if (settings.presets !== undefined && !Array.isArray(settings.presets)) throw illegalArgument('presets must be a list');
  const types = new Set(plugin.desc.parameterSets.map((s) => s.elementType));
  for (const preset of (settings.presets ?? []) as unknown[]) {
    const p = preset as Json;
    if (typeof p !== 'object' || p === null || typeof p.name !== 'string' || p.name === '') {
      throw illegalArgument('A preset needs a name');
    }
    if (typeof p.type !== 'string' || !types.has(p.type)) {
      throw illegalArgument(`Preset ${p.name}: unknown parameter set type ${String(p.type)} for plugin ${plugin.desc.id}`);
    }
  }
  plugin.settings = settings;
}
