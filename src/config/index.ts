/**
 * Configuration: load once at startup, pass the frozen EngineConfig to every component.
 *
 * In a command (io thread):
 *   registerConfigOptions(program.command("run")).action((flags) => {
 *     let report: ConfigReport;
 *     try {
 *       report = loadConfigReport({ file: flags.config, env: process.env, flags });
 *     } catch (err) {
 *       if (err instanceof ConfigError) { process.stderr.write(`${err.message}\n`); process.exit(2); }
 *       throw err;
 *     }
 *     const log = createLogger({ level: report.config.logLevel, bindings: { thread: "io" } });
 *     for (const w of report.warnings) log.warn(w);
 *     const notice = saveGeneratedControlToken(report.config); // prints a path, never the token
 *     if (notice !== undefined) log.info(notice);
 *   });
 */
export { registerConfigOptions } from "./cli-options.js";
export { CONTROL_TOKEN_FILE, saveGeneratedControlToken } from "./control-token.js";
export { CONFIG_FIELDS, type ConfigField, envNameOf, flagKeyOf } from "./fields.js";
export {
  ConfigError,
  type ConfigReport,
  isLoopbackHost,
  type LoadConfigInput,
  loadConfig,
  loadConfigReport,
} from "./load-config.js";
export { type EngineConfig, EXCHANGE_URLS, type MarketSelection } from "./schema.js";
