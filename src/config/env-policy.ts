// Which environment variables a reference may read. Manifests come from pull requests, and `plan` runs on them
// with the runner's credentials in the environment and posts its output as a comment: a manifest that could read
// `${env:DSS_API_KEY}` would print the key in the plan and write it into DSS. So, in manifests:
// - the tool's credential variables (CREDENTIAL_ENV) cannot be read at all, neither as `${env:..}` nor as
//   `${secret:..}` (a secret is masked in output, but still written into DSS, where any reader of the field sees it);
// - a variable read in a secret place anywhere in the run (as `${secret:X}`, or as `${env:X}` under a secret-looking
//   key such as `adminApiKey` or `password`) cannot be read as `${env:X}` anywhere else, where it would print in
//   clear. An `${env:..}` value under a secret-looking key is itself a secret: masked and scrubbed like one;
// - a variable whose name looks secret (`WAREHOUSE_PASSWORD`, `SLACK_TOKEN`: the `looksSecret` rule of the diff)
//   cannot be read as `${env:..}` outside a secret place: a pull request could otherwise remove the run's
//   `${secret:X}` and print X in the plan it comments. `${secret:X}` reads it;
// - `${env:..}` reads only the names of DSS_GITOPS_ENV_ALLOW when the environment sets it (a list the pull request
//   cannot change, unlike dss-gitops.yaml), and of `interpolation.envAllow` of dss-gitops.yaml when set (both,
//   when both are).
// In dss-gitops.yaml, credential and secret variables may be read only where the tool takes a key
// (`nodes.design.apiKey`, `nodes.deployer.apiKey`): elsewhere they would end up in URLs, ownership records or output.
// Where that key may be sent is node-trust.ts's to say.

import { looksSecret } from '../base/secret-names.js';
import { joinPointer, parsePointer } from '../base/json-pointer.js';

/** Variables the tool reads credentials from: API keys, the simulator's admin key, the webhook URL. */
export const CREDENTIAL_ENV = ['DSS_API_KEY', 'DSS_DEPLOYER_API_KEY', 'DSS_SIM_API_KEY', 'DSS_GITOPS_WEBHOOK_URL'] as const;

export type ReferenceSource = 'env' | 'secret';

export interface Refusal {
  message: string;
  hint?: string;
}

/** Decides, for each `${env:..}` / `${secret:..}` reference, whether it may be resolved. */
export interface ReferencePolicy {
  /** Why `${source:name}` at `pointer` may not be resolved; undefined when it may. */
  refuse(source: ReferenceSource, name: string, pointer: string): Refusal | undefined;
  /** Whether an `${env:..}` value at `pointer` is a secret (masked and scrubbed like a `${secret:..}` value). */
  secretPlace(pointer: string): boolean;
}

const REFERENCE = /\$\$\{|\$\{(env|secret):([^}]*)\}/g;

/** Whether the value at `pointer` sits under a key that usually holds a secret (the last key that is no index). */
export function isSecretPlace(pointer: string): boolean {
  const key = parsePointer(pointer).filter((segment) => !/^\d+$/.test(segment)).pop();
  return key !== undefined && looksSecret(key);
}

/**
 * The names read in a secret place in the string values of `value`: every `${secret:NAME}`, and `${env:NAME}` under
 * a secret-looking key (`$${` escapes are skipped).
 */
export function secretReferenceNames(value: unknown): Set<string> {
  const names = new Set<string>();
  // The walk's position; a pointer is built only for an `${env:..}` reference, to tell whether its place is secret.
  const path: Array<string | number> = [];
  const pointer = (): string => path.reduce<string>((base, segment) => joinPointer(base, segment), '');
  const visit = (item: unknown): void => {
    if (typeof item === 'string') {
      if (!item.includes('${')) return;
      for (const match of item.matchAll(REFERENCE)) {
        const [, source, name] = match;
        if (name !== undefined && (source === 'secret' || isSecretPlace(pointer()))) names.add(name);
      }
    } else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        path.push(i);
        visit(item[i]);
        path.pop();
      }
    } else if (item !== null && typeof item === 'object') {
      for (const key of Object.keys(item)) {
        path.push(key);
        visit((item as Record<string, unknown>)[key]);
        path.pop();
      }
    }
  };
  visit(value);
  return names;
}

/** Whether `name` matches one of `patterns`: exact names, or `*` for any run of characters (`TEAM_*`). */
export function matchesEnvPattern(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const parts = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'));
    return new RegExp(`^${parts.join('.*')}$`).test(name);
  });
}

const isCredential = (name: string): boolean => (CREDENTIAL_ENV as readonly string[]).includes(name);

/** The variable holding the trusted `${env:..}` allow list: names or `*` patterns, separated by commas or spaces. */
export const ENV_ALLOW_VARIABLE = 'DSS_GITOPS_ENV_ALLOW';

/** The patterns of DSS_GITOPS_ENV_ALLOW, or undefined when it is not set (set and empty allows nothing). */
export function trustedEnvAllow(env: Record<string, string | undefined>): string[] | undefined {
  const value = env[ENV_ALLOW_VARIABLE];
  if (value === undefined) return undefined;
  return value.split(/[\s,]+/).filter((pattern) => pattern !== '');
}

export interface ManifestPolicyOptions {
  /** Every name read as `${secret:..}` in the run. */
  secretNames: ReadonlySet<string>;
  /** `interpolation.envAllow` of the configuration, when set. */
  envAllow?: readonly string[];
  /** DSS_GITOPS_ENV_ALLOW of the environment, when set (see `trustedEnvAllow`). */
  trustedEnvAllow?: readonly string[];
}

function secretNameRefusal(reference: string, name: string): Refusal {
  return {
    message: `\`${reference}\` is refused: ${name} looks like the name of a secret, and an \`\${env:..}\` value here is shown in clear`,
    hint: `use \`\${secret:${name}}\`, which is masked in every output`,
  };
}

/** The rule for manifests (see the top of this file). */
export function manifestReferencePolicy(options: ManifestPolicyOptions): ReferencePolicy {
  return {
    secretPlace: isSecretPlace,
    refuse(source, name, pointer) {
      const reference = `\${${source}:${name}}`;
      if (isCredential(name)) {
        return {
          message: `\`${reference}\` is refused: ${name} holds the credentials of dss-gitops, which manifests cannot read`,
          hint: 'set the value in the manifest, or pass it with --var / --var-file and `${var:NAME}`',
        };
      }
      if (source === 'secret') return undefined;
      if (options.secretNames.has(name) && !isSecretPlace(pointer)) {
        return {
          message: `\`${reference}\` is refused: ${name} is read as a secret in this run (\`\${secret:${name}}\`, or under a secret-looking key), and an \`\${env:..}\` value here is shown in clear`,
          hint: `use \`\${secret:${name}}\` here too`,
        };
      }
      if (looksSecret(name) && !isSecretPlace(pointer)) return secretNameRefusal(reference, name);
      if (options.trustedEnvAllow !== undefined && !matchesEnvPattern(name, options.trustedEnvAllow)) {
        return {
          message: `\`${reference}\` is refused: ${name} is not listed in ${ENV_ALLOW_VARIABLE}`,
          hint: `ask whoever runs dss-gitops to add ${name} (or a pattern such as PREFIX_*) to ${ENV_ALLOW_VARIABLE}`,
        };
      }
      if (options.envAllow !== undefined && !matchesEnvPattern(name, options.envAllow)) {
        return {
          message: `\`${reference}\` is refused: ${name} is not listed in \`interpolation.envAllow\` of dss-gitops.yaml`,
          hint: `add ${name} (or a pattern such as PREFIX_*) to interpolation.envAllow`,
        };
      }
      return undefined;
    },
  };
}

const KEY_POINTERS = new Set(['design', 'deployer'].map((node) => joinPointer(joinPointer(joinPointer('', 'nodes'), node), 'apiKey')));

/** The rule for dss-gitops.yaml: credential and secret variables are read only into the nodes' `apiKey`. */
export function configReferencePolicy(secretNames: ReadonlySet<string>): ReferencePolicy {
  return {
    secretPlace: isSecretPlace,
    refuse(source, name, pointer) {
      if (KEY_POINTERS.has(pointer)) return undefined;
      if (source === 'secret' || isCredential(name) || secretNames.has(name) || looksSecret(name)) {
        const reference = `\${${source}:${name}}`;
        return {
          message: `\`${reference}\` is refused here: credentials and secrets are read only into \`nodes.design.apiKey\` and \`nodes.deployer.apiKey\``,
        };
      }
      return undefined;
    },
  };
}
