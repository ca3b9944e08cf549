#!/usr/bin/env python3
"""Native binary size and start-to-listening time (median of N runs).

usage: bench/startup.py [BINARY] [RUNS]
Start-to-listening is measured from just before exec until a TCP connect to the configured port
succeeds (polled every 0.2 ms), with a local log list so no network is involved.
"""
import os, signal, socket, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "artifacts/publish/linux-x64/certstream")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

times = []
for i in range(runs):
    with tempfile.TemporaryDirectory() as d:
        port = free_port()
        subprocess.run([os.path.join(root, "scripts/smoke-config.sh"), d, str(port)], check=True)
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "--config", os.path.join(d, "config.yaml")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.05):
                    break
            except OSError:
                if p.poll() is not None:
                    sys.exit(f"server exited early with {p.returncode}")
                if time.perf_counter() - t0 > 10:
                    p.kill(); sys.exit("server did not listen within 10 s")
                time.sleep(0.0002)
        times.append((time.perf_counter() - t0) * 1000)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=15)

size = os.path.getsize(binary)
print(f"binary: {binary}")
print(f"binary size: {size} bytes ({size/1048576:.1f} MiB)   target <= 20 MiB")
print("start-to-listening runs (ms): " + ", ".join(f"{t:.1f}" for t in times))
print(f"start-to-listening median: {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f})   target <= 50 ms")
