// Shell completion scripts for bash, zsh and fish, rendered from a description of the command tree that
// `completion.ts` reads off the commander program, so they list exactly the commands and flags that exist. Pure.

export interface CompletionOption {
  /** `--output`, and `-f` when there is a short form. */
  long?: string;
  short?: string;
  description: string;
  takesValue: boolean;
  choices: readonly string[];
}

export interface CompletionCommand {
  /** Words from the program to this command; empty for the program itself. */
  path: string[];
  description: string;
  options: CompletionOption[];
  subcommands: CompletionCommand[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

function all(root: CompletionCommand): CompletionCommand[] {
  return [root, ...root.subcommands.flatMap(all)];
}

function flagsOf(command: CompletionCommand): string[] {
  return command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));
}

/** Safe inside bash double quotes and case patterns: command names and flags are plain words already. */
function bashWord(word: string): string {
  return word.replace(/[^A-Za-z0-9_.:=/-]/g, '');
}

function bashFunctions(root: CompletionCommand): string {
  const commands = all(root);
  const key = (c: CompletionCommand): string => `"${c.path.map(bashWord).join(' ')}"`;
  const lines: string[] = ['_dss_gitops_commands() {', '  case "$1" in'];
  for (const c of commands) if (c.subcommands.length > 0) lines.push(`    ${key(c)}) echo "${c.subcommands.map((s) => bashWord(s.path.at(-1) ?? '')).join(' ')}" ;;`);
  lines.push('  esac', '}', '_dss_gitops_options() {', '  case "$1" in');
  for (const c of commands) lines.push(`    ${key(c)}) echo "${flagsOf(c).map(bashWord).join(' ')}" ;;`);
  lines.push('  esac', '}', '_dss_gitops_values() {', '  case "$1|$2" in');
  for (const c of commands) {
    for (const o of c.options) {
      if (!o.takesValue) continue;
      const flags = [o.long, o.short].filter((f): f is string => f !== undefined);
      const values = o.choices.length > 0 ? `echo "${o.choices.map(bashWord).join(' ')}"` : 'return 1';
      lines.push(`    ${flags.map((f) => `"${c.path.map(bashWord).join(' ')}|${bashWord(f)}"`).join('|')}) ${values} ;;`);
    }
  }
  lines.push('    *) return 2 ;;', '  esac', '}');
  return lines.join('\n');
}

function bashScript(root: CompletionCommand): string {
  return [
    '# dss-gitops completion for bash. Load it with: source <(dss-gitops completion bash)',
    bashFunctions(root),
    '_dss_gitops() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" w i values status',
    '  (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    [[ "$w" == -* ]] && continue',
    '    if [[ " $(_dss_gitops_commands "$cmd") " == *" $w "* ]]; then cmd="${cmd:+$cmd }$w"; fi',
    '  done',
    '  values="$(_dss_gitops_values "$cmd" "$prev")"; status=$?',
    '  if (( status == 0 )); then COMPREPLY=($(compgen -W "$values" -- "$cur")); return 0; fi',
    '  if (( status == 1 )); then COMPREPLY=($(compgen -f -- "$cur")); return 0; fi',
    '  if [[ "$cur" == -* ]]; then',
    '    COMPREPLY=($(compgen -W "$(_dss_gitops_options "$cmd")" -- "$cur"))',
    '  else',
    '    COMPREPLY=($(compgen -W "$(_dss_gitops_commands "$cmd")" -- "$cur"))',
    '    (( ${#COMPREPLY[@]} == 0 )) && COMPREPLY=($(compgen -f -- "$cur"))',
    '  fi',
    '  return 0',
    '}',
    'complete -o filenames -F _dss_gitops dss-gitops',
    '',
  ].join('\n');
}

function zshScript(root: CompletionCommand): string {
  // zsh runs the bash script through its own bash completion layer: one script to keep in sync, not two.
  return [
    '#compdef dss-gitops',
    '# dss-gitops completion for zsh. Load it with: source <(dss-gitops completion zsh)',
    'autoload -U +X bashcompinit && bashcompinit',
    bashScript(root).split('\n').slice(1).join('\n'),
  ].join('\n');
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The fish condition that the command line is at `command` (its path seen, none of its subcommands yet). */
function fishCondition(command: CompletionCommand): string {
  if (command.path.length === 0) return '__fish_use_subcommand';
  const seen = command.path.map((word) => `__fish_seen_subcommand_from ${word}`);
  const subs = command.subcommands.map((s) => s.path.at(-1) ?? '');
  if (subs.length > 0) seen.push(`not __fish_seen_subcommand_from ${subs.join(' ')}`);
  return seen.join('; and ');
}

function fishScript(root: CompletionCommand): string {
  const lines = ['# dss-gitops completion for fish. Load it with: dss-gitops completion fish | source', 'complete -c dss-gitops -f'];
  for (const command of all(root)) {
    const when = fishQuote(fishCondition(command));
    for (const sub of command.subcommands) {
      lines.push(`complete -c dss-gitops -n ${when} -a ${sub.path.at(-1) ?? ''} -d ${fishQuote(sub.description)}`);
    }
    for (const o of command.options) {
      const parts = ['complete -c dss-gitops', `-n ${when}`];
      if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
      if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
      if (o.takesValue) parts.push(o.choices.length > 0 ? `-x -a ${fishQuote(o.choices.join(' '))}` : '-r -F');
      parts.push(`-d ${fishQuote(o.description)}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, root: CompletionCommand): string {
  if (shell === 'bash') return bashScript(root);
  if (shell === 'zsh') return zshScript(root);
  return fishScript(root);
}
