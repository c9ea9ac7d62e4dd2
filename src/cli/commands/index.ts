import type { Command } from '../command';

// Every `hyperprompt` subcommand, in the order `hyperprompt --help` lists them.
export const commands: Command[] = [];
