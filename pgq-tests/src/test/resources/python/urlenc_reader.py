#!/usr/bin/python3
"""A python-pgq consumer (PgQ's own client library, Debian's python3-pgq) reading the events of
pgq.logutriga: it decodes ev_data with skytools' urlencoding and writes one line per event, then
stops after one batch (loop_delay = -1).

Usage: urlenc_reader.py CONFIG.ini   (keys: db, queue_name, consumer_name, out_file, logfile, pidfile)
"""
import json
import sys

import pgq
import skytools


class UrlencReader(pgq.Consumer):
    def process_event(self, db, ev):
        row = skytools.db_urldecode(ev.data)
        line = {"type": ev.type, "table": ev.extra1, "row": row}
        with open(self.cf.get("out_file"), "a", encoding="utf-8") as out:
            out.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")
        ev.tag_done()


if __name__ == "__main__":
    UrlencReader("urlenc_reader", "db", sys.argv[1:]).start()
