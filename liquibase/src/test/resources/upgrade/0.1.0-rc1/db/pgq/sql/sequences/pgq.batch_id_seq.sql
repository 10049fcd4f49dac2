-- ----------------------------------------------------------------------
-- Sequence: pgq.batch_id_seq
--
--      Ids of batches, shared by all queues.  A batch exists only as
--      pgq.subscription.sub_batch of the consumer that opened it; this
--      sequence is the only thing that numbers them.  Starts at 1.
-- ----------------------------------------------------------------------
create sequence pgq.batch_id_seq;
