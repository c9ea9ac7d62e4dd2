import type { Command } from '../command';
import { runs } from './runs';
import { train } from './train';
import { bench } from './bench';
import { controller } from './controller';
import { space } from './space';

// Every `hyperprompt` subcommand, in the order `hyperprompt --help` lists them.
export const commands: Command[] = [train, runs, bench, controller, space];
