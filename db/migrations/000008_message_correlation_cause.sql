-- Message correlations keyed by their cause (docs/decisions/0003-message-correlation-key.md).
--
-- Seed §21's unique (tenant_id, message_name, correlation_key) refuses the callback of a retried
-- task's second attempt: the task waits again on the same key tenantId:orderId:taskId. cause_id
-- names what caused the message (the external call attempt whose callback it is, the fallout case
-- whose repair it reports, the order for a cancellation), and joins the key: the same callback
-- twice is still one correlation, a new attempt gets its own.
--
-- next_attempt_at is CorrelationRelay's back-off: a failed publish is not due again until then.

-- Rows written before this migration name their aggregate as the cause: it is the only id they
-- carry, and under the old key it was unique per message anyway. New writers always pass cause_id.
alter table workflow_message_correlation add column cause_id uuid;
update workflow_message_correlation set cause_id = aggregate_id;
alter table workflow_message_correlation alter column cause_id set not null;
comment on column workflow_message_correlation.cause_id is
  'What caused the message: the external call attempt whose callback it is, the fallout case whose repair it reports, or the order for a cancellation. Part of the unique key, so a retried task''s new attempt gets its own correlation on the same correlation key.';

alter table workflow_message_correlation add column next_attempt_at timestamptz not null default now();
comment on column workflow_message_correlation.next_attempt_at is
  'When CorrelationRelay may publish the row (again): now() when written, later after a failed publish (exponential back-off).';

alter table workflow_message_correlation drop constraint workflow_message_correlation_key;
alter table workflow_message_correlation add constraint workflow_message_correlation_key
  unique (tenant_id, message_name, correlation_key, cause_id);

drop index workflow_message_correlation_pending_idx;
create index workflow_message_correlation_pending_idx on workflow_message_correlation (next_attempt_at, created_at, id)
  where status = 'PENDING';
comment on index workflow_message_correlation_pending_idx is
  'Pending correlations due for a publish, oldest first: what CorrelationRelay claims (FOR UPDATE SKIP LOCKED).';

comment on table workflow_message_correlation is
  'A message to publish to the engine (seed §11, §21), written in the transaction that accepted the callback or command, once per (message, correlation key, cause); CorrelationRelay publishes it with messageId = id, so a re-publish is deduplicated by the engine.';
