// The entry point of every command that reads manifests: configuration, variables, files, documents, and the
// checks across documents, with every problem collected and sorted. Reads files; never touches the network.

import { compareText } from '../base/order.js';
import { collectVars } from '../config/vars.js';
import { registerSecrets } from '../base/secrets.js';
import { manifestReferencePolicy, secretReferenceNames, trustedEnvAllow } from '../config/env-policy.js';
import { loadConfig, locateConfig } from './load-config.js';
import { loadDocument } from './document.js';
import { findManifestFiles } from '../manifest/files.js';
import { checkReferences, type CheckedDocument } from '../manifest/references.js';
import type { LoadManifestOptions, ManifestDocument, ManifestSet, Problem } from '../manifest/types.js';
import { readManifestText } from '../manifest/read-text.js';
import { parseYaml } from '../base/yaml-source.js';
import { kindRegistry, type KindRegistry } from '../resources/registry.js';

export function compareProblems(a: Problem, b: Problem): number {
  return compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.message, b.message);
}

/** `kinds`: the kinds the manifests may hold (the registry's, unless a caller gives its own). */
export function loadManifestSet(options: LoadManifestOptions, kinds: KindRegistry = kindRegistry()): ManifestSet {
  const { cwd, env } = options;
  const problems: Problem[] = [];
  const secrets = new Set<string>();

  const vars = collectVars(options.vars, options.varFiles, cwd);
  problems.push(...vars.problems);
  const sources = { env, vars: vars.vars, ...(options.requireSecrets === false ? { secretsOptional: true } : {}) };

  const found = findManifestFiles(options.paths, cwd);
  problems.push(...found.problems);

  // Every file is parsed before anything is interpolated: which variables `${env:..}` may read depends on the
  // names read as `${secret:..}` anywhere in the run (see config/env-policy.ts).
  const parsedFiles: { root: string; parsed: ReturnType<typeof parseYaml> }[] = [];
  for (const { file, root } of found.files) {
    const read = readManifestText(file);
    if ('problem' in read) {
      problems.push(read.problem);
      continue;
    }
    const parsed = parseYaml(file, read.text);
    problems.push(...parsed.problems);
    parsedFiles.push({ root, parsed });
  }
  const manifestSecretNames = secretReferenceNames(
    parsedFiles.flatMap(({ parsed }) => parsed.documents.filter((d) => !d.referenceFree).map((d) => d.value)),
  );

  const configFile = locateConfig(options.configPath, found.rootDirectory, cwd);
  const loadedConfig = loadConfig(configFile, sources, manifestSecretNames, [...kinds.keys()]);
  problems.push(...loadedConfig.problems);
  for (const secret of loadedConfig.secrets) secrets.add(secret);
  const envAllow = loadedConfig.config.interpolation?.envAllow;
  const trusted = trustedEnvAllow(env);
  const policy = manifestReferencePolicy({
    secretNames: loadedConfig.secretNames,
    ...(envAllow ? { envAllow } : {}),
    ...(trusted ? { trustedEnvAllow: trusted } : {}),
  });

  const checked: CheckedDocument[] = [];
  for (const { root, parsed } of parsedFiles) {
    for (const yamlDocument of parsed.documents) {
      const loaded = loadDocument(yamlDocument, { ...sources, policy }, { cwd, root }, kinds);
      problems.push(...loaded.problems);
      for (const secret of loaded.secrets) secrets.add(secret);
      if (loaded.document) checked.push({ document: loaded.document, unresolvedPointers: loaded.unresolvedPointers });
    }
  }
  problems.push(...checkReferences(checked, loadedConfig.config.external, cwd, (doc) => kinds.get(doc.kind)?.references?.(doc) ?? []));

  const documents: ManifestDocument[] = checked.map((c) => c.document);
  // Known to the run from here on: error messages printed later are scrubbed of them.
  registerSecrets(secrets);
  return { config: loadedConfig.config, documents, problems: problems.sort(compareProblems), secrets };
}
