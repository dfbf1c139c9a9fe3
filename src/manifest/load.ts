// The entry point of every command that reads manifests: configuration, variables, files, documents, and the
// checks across documents, with every problem collected and sorted. Reads files; never touches the network.

import { collectVars } from '../config/vars.js';
import { registerSecrets } from '../log/secrets.js';
import { loadConfig, locateConfig } from '../config/load-config.js';
import { loadDocument } from './document.js';
import { findManifestFiles } from './files.js';
import { checkReferences, type CheckedDocument } from './references.js';
import type { LoadManifestOptions, ManifestDocument, ManifestSet, Problem } from './types.js';
import { MANIFEST_SIZE_LIMIT, readTextFile } from './read-text.js';
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
  const sources = { env, vars: vars.vars };

  const found = findManifestFiles(options.paths, cwd);
  problems.push(...found.problems);

  const configFile = locateConfig(options.configPath, found.rootDirectory, cwd);
  const loadedConfig = loadConfig(configFile, sources);
  problems.push(...loadedConfig.problems);
  for (const secret of loadedConfig.secrets) secrets.add(secret);

  const checked: CheckedDocument[] = [];
  for (const { file, root } of found.files) {
    const read = readTextFile(file, MANIFEST_SIZE_LIMIT);
    if (!('text' in read)) {
      const bad = read.invalidUtf8;
      problems.push(
        bad
          ? { file, line: bad.line, column: bad.column, message: `invalid UTF-8: byte ${bad.byte}; a manifest must be UTF-8 text` }
          : { file, line: 1, column: 1, message: `the manifest file ${read.reason}` },
      );
      continue;
    }
    const parsed = parseYaml(file, read.text);
    problems.push(...parsed.problems);
    for (const yamlDocument of parsed.documents) {
      const loaded = loadDocument(yamlDocument, sources, { cwd, root });
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
