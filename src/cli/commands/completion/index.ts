import { Argument, Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** `clinic completion bash|zsh|fish`, and the hidden `clinic __complete` its scripts call for usernames. */
export function registerCompletion(program: Command, ctx: CliContext): void {
  program.addCommand(
    new Command('completion')
      .description('print a shell completion script: nouns, verbs, flags, and usernames for --doctor/--patient')
      .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
      .addHelpText(
        'after',
        examples(
          'clinic completion bash > ~/.local/share/bash-completion/completions/clinic',
          'clinic completion zsh > ~/.zsh/completions/_clinic',
          'clinic completion fish > ~/.config/fish/completions/clinic.fish',
        ),
      )
      .action(async (shell) => {
        const { completionScript } = await import('./scripts.js');
        ctx.io.stdout.write(completionScript(shell, program));
      }),
  );
  program.addCommand(
    new Command('__complete')
      .description('usernames for shell completion, from a cache of what you were shown')
      .addArgument(new Argument('<kind>').choices(['doctors', 'patients'] as const))
      .action(async (kind) => {
        const { completionUsernames } = await import('./usernames.js');
        const names = await completionUsernames(ctx, kind);
        ctx.io.stdout.write(names.map((name) => `${name}\n`).join(''));
      }),
    { hidden: true },
  );
}
