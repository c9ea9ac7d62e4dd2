import type { Command } from '../command';
import { runs } from './runs';
import { controller } from './controller';

// Every `hyperprompt` subcommand, in the order `hyperprompt --help` lists them.
export const commands: Command[] = [runs, controller];
