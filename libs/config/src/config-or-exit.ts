import { AppConfig, ConfigError, loadConfig } from './environment';

/**
 * Loads the configuration for an entry point, or prints what is missing or
 * malformed and exits with status 1. Entry points call it before they load
 * the app's modules, because those read the configuration as they load and
 * an error there would end the process with a stack trace instead.
 */
export function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
