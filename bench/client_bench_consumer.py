#!/usr/bin/env python3
"""client-bench.sh's python-pgq consumer: pgq.Consumer (Debian's python3-pgq) with an empty
process_event, until want_events (config) were seen; prints events=<n> secs=<s>: the events after
the first warm_events and the time they took (as the Java consumers count). Argument: config.ini."""
import sys
import time

import pgq


class BenchConsumer(pgq.Consumer):
    def __init__(self, args):
        super().__init__("client_bench", "src_db", args)
        self.want = int(self.cf.get("want_events"))
        self.warm = int(self.cf.get("warm_events"))
        self.seen = 0
        self.t0 = None

    def process_event(self, db, ev):
        self.seen += 1
        if self.seen == self.warm:
            self.t0 = time.time()

    def work(self):
        r = super().work()
        if self.seen >= self.want:
            print("events=%d secs=%.4f" % (self.seen - self.warm, time.time() - self.t0), flush=True)
            sys.exit(0)
        return r


if __name__ == "__main__":
    BenchConsumer(sys.argv[1:]).start()
