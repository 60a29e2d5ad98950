import type { CommandUnknownOpts } from '@commander-js/extra-typings';

/**
 * Completion scripts for bash, zsh and fish. The command tree (nouns, verbs, flags, which flags
 * take a value) is written into the script, so a TAB runs no clinic process; only the values of
 * `--doctor` and `--patient` come from `clinic __complete doctors|patients`, which answers from
 * its cache (see usernames.ts).
 */
export type Shell = 'bash' | 'zsh' | 'fish';

interface Node {
  /** "" for the program, else "appointments book" */
  at: string;
  commands: string[];
  /** the values a leaf's first argument takes (`completion bash|zsh|fish`) */
  choices: string[];
  flags: string[];
  valueFlags: string[];
}

/** Flags whose value names a person: completed with usernames the logged-in user was shown. */
const USERNAME_FLAGS: Record<string, 'doctors' | 'patients'> = { '--doctor': 'doctors', '--patient': 'patients' };
/** Flags naming the database, passed on to `clinic __complete` so that it asks the same one. */
const TARGET_FLAGS = ['--data-dir', '--database-url'];

function nodesOf(command: CommandUnknownOpts, at = ''): Node[] {
  const help = command.createHelp();
  const visible = help.visibleCommands(command);
  const options = [];
  for (let c: CommandUnknownOpts | null = command; c; c = c.parent) options.push(...c.createHelp().visibleOptions(c));
  const node: Node = {
    at,
    commands: visible.map((sub) => sub.name()),
    choices: command.registeredArguments[0]?.argChoices ?? [],
    flags: [...new Set(options.flatMap((option) => [option.long, option.short].filter((flag): flag is string => flag !== undefined)))],
    valueFlags: [
      ...new Set(
        options
          .filter((option) => option.required || option.optional)
          .flatMap((option) => [option.long, option.short].filter((flag): flag is string => !!flag)),
      ),
    ],
  };
  return [node, ...visible.flatMap((sub) => nodesOf(sub, at ? `${at} ${sub.name()}` : sub.name()))];
}

/** A word list as a single-quoted shell word (command and flag names hold no quote). */
const words = (list: readonly string[]) => `'${list.join(' ')}'`;

/** The data functions, in the `case` syntax that bash and zsh share. */
function shCases(nodes: Node[]): string {
  const table = (name: string, pick: (node: Node) => string[]) =>
    [
      `${name}() {`,
      '  case "$1" in',
      ...nodes.filter((node) => pick(node).length > 0).map((node) => `    '${node.at}') echo ${words(pick(node))} ;;`),
      '  esac',
      '}',
    ].join('\n');
  return [
    table('_clinic_commands', (node) => node.commands),
    table('_clinic_choices', (node) => node.choices),
    table('_clinic_flags', (node) => node.flags),
    table('_clinic_value_flags', (node) => node.valueFlags),
  ].join('\n');
}

/** Reads the words before the cursor: the command reached (`at`), and the flags naming the database. */
const SH_WALK = `
  local at='' word i
  local -a target=()
  for ((i = first; i < last; i++)); do
    word=\${words_[i]}
    if [[ $word == -* ]]; then
      if [[ $word != *=* && " $(_clinic_value_flags "$at") " == *" $word "* ]]; then
        case $word in ${TARGET_FLAGS.join('|')}) target+=("$word" "\${words_[i + 1]}") ;; esac
        ((i++))
      fi
    elif [[ " $(_clinic_commands "$at") " == *" $word "* ]]; then
      at=\${at:+$at }$word
    fi
  done`;

const SH_USERNAMES = `
_clinic_usernames() {
  command clinic __complete "$@" --no-input --lock-timeout 2 2>/dev/null
}`;

function bash(nodes: Node[]): string {
  return `# clinic completion for bash (clinic completion bash). Load it with
#   source <(clinic completion bash)
# in ~/.bashrc, or save it as ~/.local/share/bash-completion/completions/clinic.
${shCases(nodes)}
${SH_USERNAMES}

_clinic() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD - 1]}
  local -a words_=("\${COMP_WORDS[@]}")
  local first=1 last=$COMP_CWORD${SH_WALK}
  COMPREPLY=()
  if [[ $prev == -* && " $(_clinic_value_flags "$at") " == *" $prev "* ]]; then
    case $prev in
${Object.entries(USERNAME_FLAGS)
  .map(([flag, kind]) => `      ${flag}) COMPREPLY=($(compgen -W "$(_clinic_usernames ${kind} "\${target[@]}")" -- "$cur")) ;;`)
  .join('\n')}
    esac
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_clinic_flags "$at")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_clinic_commands "$at") $(_clinic_choices "$at")" -- "$cur"))
  fi
  return 0
}
complete -o default -F _clinic clinic
`;
}

function zsh(nodes: Node[]): string {
  return `#compdef clinic
# clinic completion for zsh (clinic completion zsh). Load it with
#   source <(clinic completion zsh)
# in ~/.zshrc after compinit, or save it as _clinic in a directory of $fpath.
${shCases(nodes)}
${SH_USERNAMES}

_clinic() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT - 1]}
  local -a words_=("\${words[@]}")
  local first=2 last=$CURRENT${SH_WALK}
  if [[ $prev == -* && " $(_clinic_value_flags "$at") " == *" $prev "* ]]; then
    case $prev in
${Object.entries(USERNAME_FLAGS)
  .map(([flag, kind]) => `      ${flag}) compadd -- \${(f)"$(_clinic_usernames ${kind} "\${target[@]}")"} ;;`)
  .join('\n')}
      *) _files ;;
    esac
    return
  fi
  if [[ $cur == -* ]]; then
    compadd -- \${=$(_clinic_flags "$at")}
  else
    local -a next=(\${=$(_clinic_commands "$at")} \${=$(_clinic_choices "$at")})
    if (( \${#next} )); then compadd -- $next; else _files; fi
  fi
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _clinic "$@"
else
  compdef _clinic clinic
fi
`;
}

function fish(nodes: Node[]): string {
  const table = (name: string, pick: (node: Node) => string[]) =>
    [
      `function ${name}`,
      '    switch "$argv[1]"',
      ...nodes.filter((node) => pick(node).length > 0).flatMap((node) => [`        case '${node.at}'`, `            string split ' ' -- ${words(pick(node))}`]),
      '    end',
      'end',
    ].join('\n');
  return `# clinic completion for fish (clinic completion fish). Save it as
# ~/.config/fish/completions/clinic.fish, or load it with: clinic completion fish | source
${table('__clinic_commands', (node) => node.commands)}
${table('__clinic_choices', (node) => node.choices)}
${table('__clinic_flags', (node) => node.flags)}
${table('__clinic_value_flags', (node) => node.valueFlags)}

function __clinic_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l at ''
    set -l target
    set -l i 2
    while test $i -le (count $words)
        set -l word $words[$i]
        if string match -q -- '-*' $word
            if not string match -q -- '*=*' $word; and contains -- $word (__clinic_value_flags "$at")
                if contains -- $word ${TARGET_FLAGS.join(' ')}; and test $i -lt (count $words)
                    set -a target $word $words[(math $i + 1)]
                end
                set i (math $i + 1)
            end
        else if contains -- $word (__clinic_commands "$at")
            set at (string trim -- "$at $word")
        end
        set i (math $i + 1)
    end
    set -l prev $words[-1]
    if string match -q -- '-*' $prev; and contains -- $prev (__clinic_value_flags "$at")
        switch $prev
${Object.entries(USERNAME_FLAGS)
  .map(([flag, kind]) => `            case ${flag}\n                command clinic __complete ${kind} $target --no-input --lock-timeout 2 2>/dev/null`)
  .join('\n')}
            case '*'
                __fish_complete_path $cur
        end
        return
    end
    if string match -q -- '-*' $cur
        __clinic_flags "$at"
        return
    end
    set -l next (__clinic_commands "$at") (__clinic_choices "$at")
    if test (count $next) -gt 0
        string join \\n -- $next
    else
        __fish_complete_path $cur
    end
end
complete -c clinic -f -a '(__clinic_complete)'
`;
}

export function completionScript(shell: Shell, program: CommandUnknownOpts): string {
  const nodes = nodesOf(program);
  return { bash, zsh, fish }[shell](nodes);
}
