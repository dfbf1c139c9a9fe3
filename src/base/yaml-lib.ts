// The yaml package, loaded on first use: plain manifests are read without it (base/yaml-fast.ts), and loading it
// costs as much start-up as the rest of a validate of a small tree.

import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return loaded;
}
