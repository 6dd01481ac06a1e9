# ai-conformance serving stub: a stand-in for an inference server, Python standard library only
# (runs in python:3.x-alpine). The autoscaling and AI service metrics probes mount it from a
# ConfigMap. It serves:
#   GET /infer?ms=N   one "inference" that takes N milliseconds (default 20); JSON reply
#   GET /metrics      Prometheus text: request counter, latency histogram, queue depth
#   GET /healthz      200 once listening
# Every series carries conformance_run=$CONFORMANCE_RUN, so the probe finds its own data in a
# shared monitoring system. Queue depth = requests accepted and not yet answered.
# Environment: PORT (8000; 0 lets the system choose), HOST (all interfaces), CONFORMANCE_RUN,
# QUEUE_METRIC (the gauge's name).
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PORT = int(os.environ.get("PORT", "8000"))
HOST = os.environ.get("HOST", "")
RUN = os.environ.get("CONFORMANCE_RUN", "")
QUEUE_METRIC = os.environ.get("QUEUE_METRIC", "ai_conformance_inference_queue_depth")
PREFIX = "ai_conformance_inference"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MAX_MS = 60_000

lock = threading.Lock()
requests_total = 0
duration_sum = 0.0
bucket_counts = [0] * len(BUCKETS)
in_flight = 0


def label(extra=""):
    run = RUN.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return "{" + 'conformance_run="' + run + '"' + extra + "}"


def exposition():
    with lock:
        total, total_sum, counts, queue = requests_total, duration_sum, list(bucket_counts), in_flight
    lines = [
        "# HELP %s_requests_total Inference requests served." % PREFIX,
        "# TYPE %s_requests_total counter" % PREFIX,
        "%s_requests_total%s %d" % (PREFIX, label(), total),
        "# HELP %s_request_duration_seconds Time to serve an inference request." % PREFIX,
        "# TYPE %s_request_duration_seconds histogram" % PREFIX,
    ]
    cumulative = 0
    for bound, n in zip(BUCKETS, counts):
        cumulative += n
        lines.append('%s_request_duration_seconds_bucket%s %d' % (PREFIX, label(',le="%g"' % bound), cumulative))
    lines.append('%s_request_duration_seconds_bucket%s %d' % (PREFIX, label(',le="+Inf"'), total))
    lines.append("%s_request_duration_seconds_sum%s %.6f" % (PREFIX, label(), total_sum))
    lines.append("%s_request_duration_seconds_count%s %d" % (PREFIX, label(), total))
    lines.append("# HELP %s Inference requests accepted and not yet answered." % QUEUE_METRIC)
    lines.append("# TYPE %s gauge" % QUEUE_METRIC)
    lines.append("%s%s %d" % (QUEUE_METRIC, label(), queue))
    return "\n".join(lines) + "\n"


def infer(ms):
    global requests_total, duration_sum, in_flight
    started = time.monotonic()
    with lock:
        in_flight += 1
    try:
        time.sleep(ms / 1000.0)
    finally:
        elapsed = time.monotonic() - started
        with lock:
            in_flight -= 1
            requests_total += 1
            duration_sum += elapsed
            for i, bound in enumerate(BUCKETS):
                if elapsed <= bound:
                    bucket_counts[i] += 1
                    break
            served = requests_total
    return {"served": served, "seconds": round(elapsed, 6)}


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body, content_type):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/metrics":
            self.reply(200, exposition(), "text/plain; version=0.0.4; charset=utf-8")
        elif url.path == "/infer":
            try:
                ms = int(parse_qs(url.query).get("ms", ["20"])[0])
            except ValueError:
                self.reply(400, '{"error": "ms must be an integer"}\n', "application/json")
                return
            result = infer(max(0, min(ms, MAX_MS)))
            self.reply(200, json.dumps(result) + "\n", "application/json")
        elif url.path == "/healthz":
            self.reply(200, '{"ok": true}\n', "application/json")
        else:
            self.reply(404, '{"error": "not found"}\n', "application/json")

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer((HOST, PORT), Handler)
    server.daemon_threads = True
    # The bound port, for PORT=0 (tests let the system choose).
    print("serving-stub listening on %s:%d (run %s)" % (HOST or "*", server.server_address[1], RUN), flush=True)
    server.serve_forever()
