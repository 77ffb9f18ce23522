/** Configuration: load once at startup, pass the frozen EngineConfig to every component. */
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
