-- ----------------------------------------------------------------------
-- Grants: pgq.grants
--
--      Who may do what, as data: the lists below are the whole truth.
--      Applying them first revokes everything from public, pgq_reader,
--      pgq_writer and pgq_admin (CASCADE) on each listed function and
--      table, then grants exactly what is listed, so running this again
--      changes nothing and a privilege dropped from a list is taken away.
--      Grants to other roles are left alone.
--
--      Every function of schemas pgq, pgq_java and pgq_coop must be listed, or it keeps the
--      EXECUTE that PostgreSQL grants to public on new functions.  Event
--      tables of existing queues keep the grants they copied from
--      pgq.event_template at creation (pgq.grant_perms).
--
--      Groups:
--      public      - reads queue and consumer status
--      pgq_reader  - consumers: register, read batches, retry, finish
--      pgq_writer  - producers: insert events
--      pgq_admin   - administration, ticker and maintenance daemon
-- ----------------------------------------------------------------------
do $$
declare
    f       record;
    t       record;
begin
    for f in
        select fn::pg_catalog.regprocedure as fn, grp
          from (values
            -- public
            ('pgq.seq_getval(text)',                                        'public'),
            ('pgq.get_queue_info()',                                        'public'),
            ('pgq.get_queue_info(text)',                                    'public'),
            ('pgq.get_consumer_info()',                                     'public'),
            ('pgq.get_consumer_info(text)',                                 'public'),
            ('pgq.get_consumer_info(text, text)',                           'public'),
            ('pgq.quote_fqname(text)',                                      'public'),
            ('pgq.version()',                                               'public'),
            ('pgq_java.tick_channel(text)',                                 'public'),
            -- dead letters: consumers read theirs, admins give back and delete
            ('pgq_java.dead_letters(text, text)',                           'pgq_reader'),
            ('pgq_java.redrive_dead_letters(text, text, bigint[])',         'pgq_admin'),
            ('pgq_java.purge_dead_letters(text, text, bigint[])',           'pgq_admin'),

            -- consumers
            ('pgq.batch_event_sql(bigint)',                                 'pgq_reader'),
            ('pgq.batch_event_tables(bigint)',                              'pgq_reader'),
            ('pgq.find_tick_helper(int4, int8, timestamptz, int8, int8, interval)', 'pgq_reader'),
            ('pgq.register_consumer(text, text)',                           'pgq_reader'),
            ('pgq.register_consumer_at(text, text, bigint)',                'pgq_reader'),
            ('pgq.unregister_consumer(text, text)',                         'pgq_reader'),
            ('pgq.next_batch_info(text, text)',                             'pgq_reader'),
            ('pgq.next_batch(text, text)',                                  'pgq_reader'),
            ('pgq.next_batch_custom(text, text, interval, int4, interval)', 'pgq_reader'),
            ('pgq.get_batch_events(bigint)',                                'pgq_reader'),
            ('pgq.get_batch_info(bigint)',                                  'pgq_reader'),
            ('pgq.get_batch_cursor(bigint, text, int4, text)',              'pgq_reader'),
            ('pgq.get_batch_cursor(bigint, text, int4)',                    'pgq_reader'),
            ('pgq.event_retry(bigint, bigint, timestamptz)',                'pgq_reader'),
            ('pgq.event_retry(bigint, bigint, integer)',                    'pgq_reader'),
            ('pgq.batch_retry(bigint, integer)',                            'pgq_reader'),
            ('pgq.force_tick(text)',                                        'pgq_reader'),
            ('pgq.finish_batch(bigint)',                                    'pgq_reader'),

            -- producers, and the table triggers (as PgQ: EXECUTE matters
            -- to whoever creates a trigger with them)
            ('pgq.logutriga()',                                             'pgq_writer'),
            ('pgq.sqltriga()',                                              'pgq_writer'),
            ('pgq.jsontriga()',                                             'pgq_writer'),
            ('pgq.insert_event(text, text, text)',                          'pgq_writer'),
            ('pgq.insert_event(text, text, text, text, text, text, text)',  'pgq_writer'),
            ('pgq.current_event_table(text)',                               'pgq_writer'),
            ('pgq.insert_events(text, text[], text[], text[], text[], text[], text[])', 'pgq_writer'),

            -- administration
            ('pgq.ticker(text, bigint, timestamptz, bigint)',               'pgq_admin'),
            ('pgq.ticker(text)',                                            'pgq_admin'),
            ('pgq.ticker()',                                                'pgq_admin'),
            ('pgq_java.push_ticker()',                                      'pgq_admin'),
            ('pgq.maint_retry_events()',                                    'pgq_admin'),
            ('pgq.maint_rotate_tables_step1(text)',                         'pgq_admin'),
            ('pgq.maint_rotate_tables_step2()',                             'pgq_admin'),
            ('pgq.maint_tables_to_vacuum()',                                'pgq_admin'),
            ('pgq.maint_operations()',                                      'pgq_admin'),
            ('pgq.upgrade_schema()',                                        'pgq_admin'),
            ('pgq.grant_perms(text)',                                       'pgq_admin'),
            ('pgq._grant_perms_from(text, text, text, text)',               'pgq_admin'),
            ('pgq.tune_storage(text)',                                      'pgq_admin'),
            ('pgq.seq_setval(text, int8)',                                  'pgq_admin'),
            ('pgq.create_queue(text)',                                      'pgq_admin'),
            ('pgq.drop_queue(text, bool)',                                  'pgq_admin'),
            ('pgq.drop_queue(text)',                                        'pgq_admin'),
            ('pgq.set_queue_config(text, text, text)',                      'pgq_admin'),
            ('pgq.insert_event_raw(text, bigint, timestamptz, integer, integer, text, text, text, text, text, text)', 'pgq_admin'),
            ('pgq.event_retry_raw(text, text, timestamptz, bigint, timestamptz, integer, text, text, text, text, text, text)', 'pgq_admin'),
            -- pgq_coop: cooperative consumers are consumers
            ('pgq_coop.register_subconsumer(text, text, text)',             'pgq_reader'),
            ('pgq_coop.unregister_subconsumer(text, text, text, integer)',  'pgq_reader'),
            ('pgq_coop.next_batch(text, text, text)',                       'pgq_reader'),
            ('pgq_coop.next_batch(text, text, text, interval)',             'pgq_reader'),
            ('pgq_coop.next_batch_custom(text, text, text, interval, int4, interval)', 'pgq_reader'),
            ('pgq_coop.next_batch_custom(text, text, text, interval, int4, interval, interval)', 'pgq_reader'),
            ('pgq_coop.finish_batch(bigint)',                               'pgq_reader'),
            ('pgq_coop.version()',                                          'public')
          ) as g(fn, grp)
    loop
        execute pg_catalog.format('revoke all on function %s from public, pgq_reader, pgq_writer, pgq_admin cascade', f.fn);
        execute pg_catalog.format('grant execute on function %s to %s', f.fn, f.grp);
    end loop;

    for t in
        select tbl::pg_catalog.regclass as tbl, to_public, to_reader, to_writer, to_admin
          from (values
            -- table                public      pgq_reader  pgq_writer  pgq_admin
            ('pgq.event_template',  null,       'select',   null,       'select, insert, truncate'),
            ('pgq.consumer',        'select',   'select',   null,       'select, insert, update, delete'),
            ('pgq.queue',           'select',   'select',   null,       'select, insert, update, delete'),
            ('pgq.tick',            'select',   'select',   null,       'select, insert, update, delete'),
            ('pgq.subscription',    'select',   'select',   null,       'select, insert, update, delete'),
            ('pgq.retry_queue',     null,       null,       null,       'select, insert, update, delete')
          ) as g(tbl, to_public, to_reader, to_writer, to_admin)
    loop
        execute pg_catalog.format('revoke all on table %s from public, pgq_reader, pgq_writer, pgq_admin cascade', t.tbl);
        if t.to_reader is not null then
            execute pg_catalog.format('grant %s on table %s to pgq_reader', t.to_reader, t.tbl);
        end if;
        if t.to_writer is not null then
            execute pg_catalog.format('grant %s on table %s to pgq_writer', t.to_writer, t.tbl);
        end if;
        if t.to_admin is not null then
            execute pg_catalog.format('grant %s on table %s to pgq_admin', t.to_admin, t.tbl);
        end if;
        if t.to_public is not null then
            execute pg_catalog.format('grant %s on table %s to public', t.to_public, t.tbl);
        end if;
    end loop;

    -- without usage on the schema nobody but its owner reaches anything in it
    grant usage on schema pgq to public;
end
$$;
