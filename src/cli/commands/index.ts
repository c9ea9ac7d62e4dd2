import type { Command } from '../command';
import { runs } from './runs';
import { train } from './train';
import { bench } from './bench';
import { controller } from './controller';
import { space } from './space';
import { collect } from './collect';
import { exportCommand } from './export';
import { meta } from './meta';

// Every `hyperprompt` subcommand, in the order `hyperprompt --help` lists them.
export const commands: Command[] = [train, runs, bench, controller, space, collect, exportCommand, meta];
