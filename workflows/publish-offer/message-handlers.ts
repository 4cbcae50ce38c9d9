/**
 * Signals and the status query for operators (best effort: ignored and logged when they do not
 * apply now), and updates behind the HTTP API, whose validators say synchronously why a request is
 * refused.
 */
import { log, setHandler } from '@temporalio/workflow';
import {
  cancelSignal,
  cancelUpdate,
  goLiveSignal,
  goLiveUpdate,
  setNotificationEmailsSignal,
  setNotificationEmailsUpdate,
  statusQuery,
  type ActorArg,
} from '../../domain/messages';
import { publisherActor, type Actor } from '../../domain/history';
import { isValidEmail } from '../../domain/emails';
import { ErrorType, refusalFailure } from '../../domain/errors';
import type { PublishContext } from './context';

export function installMessageHandlers(ctx: PublishContext): void {
  const { run } = ctx;
  /** Updates come from the API, which names the publisher; one from before it did is the offer's publisher's. */
  const updateActor = (arg?: ActorArg): Actor => (typeof arg?.actor === 'string' && /^(publisher:[\w-]+|operator)$/.test(arg.actor) ? arg.actor : publisherActor(ctx.ref.publisherId));

  setHandler(statusQuery, () => run.snapshot());
  setHandler(goLiveSignal, () => {
    if (run.isWaitingAt('signoff', 'WaitingForPublisherReview')) {
      ctx.acceptGoLive();
      ctx.history.record('publish.go_live.requested', 'operator');
    } else log.warn('goLive signal ignored: the run is not waiting at signoff', { step: run.currentStep, status: run.status });
  });
  setHandler(cancelSignal, (arg) => {
    if (run.cancellable) {
      ctx.requestCancel(cancelReasonText(arg?.reason));
      ctx.history.record('publish.cancel.requested', 'operator', { reason: ctx.cancelReason });
    } else log.warn('cancel signal ignored: the run can no longer be canceled', { step: run.currentStep, status: run.status });
  });
  setHandler(setNotificationEmailsSignal, (arg) => {
    const emails = arg?.emails ?? [];
    if (!run.ended && emails.length > 0 && emails.every(isValidEmail)) {
      run.setNotificationEmails(emails);
      ctx.history.record('publish.notification_emails.given', 'operator');
    } else log.warn('setNotificationEmails signal ignored: needs a non-empty list of valid e-mail addresses on a running publish');
  });

  setHandler(
    goLiveUpdate,
    (arg) => {
      ctx.acceptGoLive();
      ctx.history.record('publish.go_live.requested', updateActor(arg));
      return run.snapshot();
    },
    {
      validator: (_arg) => {
        if (!run.isWaitingAt('signoff', 'WaitingForPublisherReview')) {
          throw invalidState(`Go live is possible only while the publish waits for sign-off; it is ${run.status} at step ${run.currentStep}.`);
        }
      },
    },
  );
  setHandler(
    cancelUpdate,
    (arg) => {
      ctx.requestCancel(cancelReasonText(arg?.reason));
      ctx.history.record('publish.cancel.requested', updateActor(arg), { reason: ctx.cancelReason });
      return run.snapshot();
    },
    {
      validator: (_arg) => {
        if (!run.cancellable) {
          throw invalidState(
            run.ended ? `the publish has already ended (${run.status}).` : 'Go live was accepted; the publish can no longer be canceled.',
          );
        }
      },
    },
  );
  setHandler(
    setNotificationEmailsUpdate,
    (arg) => {
      run.setNotificationEmails(arg.emails);
      ctx.history.record('publish.notification_emails.given', updateActor(arg));
      return run.snapshot();
    },
    {
      validator: (arg) => {
        if (!run.isWaitingAt('validate', 'WaitingForPublisherInput')) {
          throw invalidState(`the publish is not waiting for notification e-mails; it is ${run.status} at step ${run.currentStep}.`);
        }
        if (!arg?.emails?.length || !arg.emails.every(isValidEmail)) {
          throw invalidState('give at least one valid e-mail address.');
        }
      },
    },
  );
}

/** A validator's refusal: the API answers 409 with its type as the code and `reason` as the message. */
const invalidState = (reason: string) => refusalFailure(ErrorType.InvalidState, reason);

function cancelReasonText(reason?: string): string {
  const r = typeof reason === 'string' ? reason.trim().slice(0, 500) : '';
  return r ? `The publish was canceled: ${r}` : 'The publish was canceled.';
}
