// The entry point of every command that reads manifests: configuration, variables, files, documents, and the
// checks across documents, with every problem collected and sorted. Reads files; never touches the network.

import { readFileSync } from 'node:fs';
import { collectVars } from '../config/vars.js';
import { registerSecrets } from '../log/secrets.js';
import { loadConfig, locateConfig } from '../config/load-config.js';
import { loadDocument } from './document.js';
import { findManifestFiles } from './files.js';
import { checkReferences, type CheckedDocument } from './references.js';
import type { LoadManifestOptions, ManifestDocument, ManifestSet, Problem } from './types.js';
import { parseYaml } from './yaml-source.js';

export function compareProblems(a: Problem, b: Problem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

export function loadManifestSet(options: LoadManifestOptions): ManifestSet {
  const { cwd, env } = options;
  const problems: Problem[] = [];
  const secrets = new Set<string>();

  const vars = collectVars(options.vars, options.varFiles, cwd);
  problems.push(...vars.problems);
  const sources = { env, vars: vars.vars, ...(options.requireSecrets === false ? { secretsOptional: true } : {}) };

  const found = findManifestFiles(options.paths, cwd);
  problems.push(...found.problems);

  const configFile = locateConfig(options.configPath, found.rootDirectory, cwd);
  const loadedConfig = loadConfig(configFile, sources);
  problems.push(...loadedConfig.problems);
  for (const secret of loadedConfig.secrets) secrets.add(secret);

  const checked: CheckedDocument[] = [];
  for (const file of found.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      problems.push({ file, line: 1, column: 1, message: 'cannot read the file' });
      continue;
    }
    const parsed = parseYaml(file, text);
    problems.push(...parsed.problems);
    for (const yamlDocument of parsed.documents) {
      const loaded = loadDocument(yamlDocument, sources, cwd);
      problems.push(...loaded.problems);
      for (const secret of loaded.secrets) secrets.add(secret);
      if (loaded.document) checked.push({ document: loaded.document, unresolvedPointers: loaded.unresolvedPointers });
    }
  }
  problems.push(...checkReferences(checked, loadedConfig.config.external, cwd));

  const documents: ManifestDocument[] = checked.map((c) => c.document);
  // Known to the run from here on: error messages printed later are scrubbed of them.
  registerSecrets(secrets);
  return { config: loadedConfig.config, documents, problems: problems.sort(compareProblems), secrets };
}
