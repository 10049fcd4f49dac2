#!/usr/bin/python3
"""A python-pgq cooperative consumer (pgq.CoopConsumer, Debian's python3-pgq), to check that
pgq-java's pgq_coop functions work with it: it writes the id of every event of one batch to
out_file, one per line, and stops after that batch (loop_delay = -1).

Usage: coop_reader.py CONFIG.ini   (keys: db, queue_name, consumer_name, subconsumer_name,
subconsumer_timeout (optional), out_file, logfile, pidfile)
"""
import sys

import pgq


class CoopReader(pgq.CoopConsumer):
    def process_event(self, db, ev):
        with open(self.cf.get("out_file"), "a", encoding="utf-8") as out:
            out.write("%d\n" % ev.id)
        ev.tag_done()


if __name__ == "__main__":
    CoopReader("coop_reader", "db", sys.argv[1:]).start()
