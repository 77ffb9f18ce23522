/** Where each configuration value came from, keyed by dotted field path (pure). */
export type SourceMap = Map<string, string>;

export const DEFAULT_SOURCE = "default";
