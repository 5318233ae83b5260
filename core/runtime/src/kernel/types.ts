/** What a runtime change did. */
export interface ChangeReport {
  started: string[];
  stopped: string[];
  restarted: string[];
  failed: { plugin: string; error: string }[];
  /** Of a reload: changed config keys outside `plugins` that apply on the next process start. */
  needsRestart?: string[];
}
