"""Summarises one pgbench run (its output and --log files) as one JSON object on stdout."""
import glob
import json
import os
import re
import sys


def percentile(sorted_values, p):
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def main(directory):
    out = open(os.path.join(directory, "out.txt")).read()
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", out).group(1))
    processed = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", out)
    latencies = []
    for path in glob.glob(os.path.join(directory, "tx.*")):
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 3 and fields[2].isdigit():
                    latencies.append(int(fields[2]))
    latencies.sort()
    print(json.dumps({
        "tps": tps,
        "transactions": processed,
        "failed": int(failed.group(1)) if failed else 0,
        "p50_us": percentile(latencies, 50),
        "p90_us": percentile(latencies, 90),
        "p99_us": percentile(latencies, 99),
        "max_us": latencies[-1] if latencies else 0,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
