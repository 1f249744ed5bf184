/**
 * Base of the plugin's command handlers that do all their modeling in `postExecute`. diagram-js
 * records the commands executed there under the outer command's id, so one undo reverts all of
 * them and one redo repeats them; `execute` and `revert` themselves change nothing.
 */
import type { Injector, Shape } from '../host-services';

/** A command handler whose work is the modeling commands it runs in `postExecute`. */
export abstract class CompoundCommandHandler<Context> {
  static $inject = ['injector'];

  constructor(protected readonly injector: Injector) {}

  execute(): Shape[] {
    return [];
  }

  revert(): Shape[] {
    return [];
  }

  abstract postExecute(context: Context): void;
}
