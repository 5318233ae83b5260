/** Logs every alert that starts pending, fires or resolves, with its labels and value. */
import type { Logger } from 'pino';
import type { EvaluationOutcome, Notifier } from '../engine/AlertEngine.js';

export class LogNotifier implements Notifier {
  constructor(private readonly logger: Logger) {}

  notify(outcome: EvaluationOutcome): void {
    for (const { alert, from, to } of outcome.transitions) {
      const fields = { alert: alert.rule, labels: alert.labels, value: alert.value, from, to, muted: alert.muted };
      const summary = alert.annotations.summary ? `: ${alert.annotations.summary}` : '';
      if (to === 'firing') this.logger.warn(fields, `alert '${alert.rule}' is firing${summary}`);
      else if (to === 'resolved') this.logger.info(fields, `alert '${alert.rule}' resolved`);
      else if (to === 'pending') this.logger.info(fields, `alert '${alert.rule}' is pending${summary}`);
      else this.logger.debug(fields, `alert '${alert.rule}' went back to inactive before firing`);
    }
  }
}
