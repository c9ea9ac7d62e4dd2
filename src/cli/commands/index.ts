import type { Command } from '../command';
import { runs } from './runs';

// Every `hyperprompt` subcommand, in the order `hyperprompt --help` lists them.
export const commands: Command[] = [runs];
