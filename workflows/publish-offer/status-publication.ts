/**
 * Keeps what the outside reads of a run current: the status body in the memo (the API's read path,
 * domain/status-memo.ts), the title and last update (the offers list), and the search attributes
 * PublishStep and PublishStatus (visibility queries).
 *
 * Coalesced: a change marks the run dirty and one flush, in a microtask, runs before the workflow
 * activation ends; it upserts only the memo keys that changed (one WorkflowPropertiesModified
 * event) and the search attributes only when the step or run status changed. Since the flush
 * belongs to the activation that made the change, an accepted update (Go live, cancel) completes in
 * the same workflow task as the memo that shows it.
 */
import { upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SA_PUBLISHER_ID, SA_PUBLISH_STATUS, SA_PUBLISH_STEP } from '../../domain/messages';
import { encodeStatusMemo } from '../../domain/status-memo';
import type { PublishContext } from './context';

/** The run publishes its status in its memo (runs recorded before keep their per-change upserts). */
export const STATUS_IN_MEMO_PATCH = 'status-in-memo';

/** Before the patch: memo and search attributes upserted on every change of step or run status. */
export function publishOnVisibleChange(ctx: PublishContext): void {
  // Kept current only when the starter set them (the API always does): a namespace without the
  // custom attributes registered, like the time-skipping test server's, would refuse the upsert.
  const keepVisibility = workflowInfo().typedSearchAttributes.get(SA_PUBLISHER_ID) !== undefined;
  ctx.run.onVisibleChange = (body) => {
    upsertMemo({ title: ctx.title, updatedAt: body.updatedAt });
    if (!keepVisibility) return;
    upsertSearchAttributes([
      { key: SA_PUBLISH_STEP, value: body.currentStep },
      { key: SA_PUBLISH_STATUS, value: body.status },
    ]);
  };
}

/** The status body in the memo, one coalesced upsert per activation. */
export function publishStatusInMemo(ctx: PublishContext): void {
  const { run } = ctx;
  const sa = workflowInfo().typedSearchAttributes;
  const keepVisibility = sa.get(SA_PUBLISHER_ID) !== undefined;
  let visible = `${sa.get(SA_PUBLISH_STEP) ?? ''}/${sa.get(SA_PUBLISH_STATUS) ?? ''}`;
  const published = new Map<string, string>();
  let version = 0;
  let dirty = false;

  const flush = () => {
    dirty = false;
    const body = run.snapshot();
    // `updatedAt` is in statusCore, where the offers list reads it.
    const memo: Record<string, unknown> = { ...encodeStatusMemo(body, version + 1), title: ctx.title };
    const changed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(memo)) {
      const json = JSON.stringify(value);
      if (published.get(key) === json) continue;
      published.set(key, json);
      changed[key] = value;
    }
    version++;
    upsertMemo(changed);
    const nowVisible = `${body.currentStep}/${body.status}`;
    if (keepVisibility && nowVisible !== visible) {
      visible = nowVisible;
      upsertSearchAttributes([
        { key: SA_PUBLISH_STEP, value: body.currentStep },
        { key: SA_PUBLISH_STATUS, value: body.status },
      ]);
    }
  };
  run.onChange = () => {
    if (dirty) return;
    dirty = true;
    void Promise.resolve().then(flush);
  };
  // The first publication: the body as it starts, before any step.
  run.onChange();
}
