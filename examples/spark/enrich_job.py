"""Enrich a folder of news articles on Spark with the `newsidx` binary.

Each Spark task streams whole files through `newsidx enrich - --records`, one
subprocess per file, and yields the enriched records it prints (one JSON object per
line). A file is the unit of work, not a line: a record's id is its file's path plus
its own id or its position in the file, and a web archive's records span many lines,
so a file is never split across tasks. Memory stays bounded whatever a file's size:
`newsidx enrich` streams JSON Lines and web archives record by record.

The output folder holds `part-NNNNN.ndjson` files of enriched records, ready for
`newsidx ingest OUT --enriched`.

    python examples/spark/enrich_job.py INPUT OUTPUT [--master local[2]] [--newsidx PATH]

On a cluster, `spark-submit --master yarn examples/spark/enrich_job.py ...` (or
`spark://HOST:7077`): the binary is shipped to every executor with `SparkContext.addFile`;
INPUT must be a folder every executor can read at the same path (NFS, a mounted
bucket); OUTPUT may be any path Spark writes to (hdfs://, s3a://).
"""

import argparse
import os
import shutil
import stat
import subprocess
import sys

# The format of each file, by the end of its name: newsidx's own table (README,
# "Formats"). Standard input has no name, so the job says it.
FORMATS = [
    (".warc.gz", "warc"),
    (".warc", "warc"),
    (".html.gz", "html"),
    (".xhtml", "html"),
    (".html", "html"),
    (".htm", "html"),
    (".jsonl", "ndjson"),
    (".ndjson", "ndjson"),
    (".json", "json"),
    (".csv", "csv"),
    (".markdown", "markdown"),
    (".md", "markdown"),
    (".text", "text"),
    (".txt", "text"),
]
SKIPPED_NAMES = ("readme", "license", "copying")


def format_of(name):
    lower = name.lower()
    for suffix, fmt in FORMATS:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return fmt
    return None


def list_files(root):
    """The archive's files as `newsidx ingest` walks them: hidden files and folders,
    README/LICENSE files and other extensions left out; sorted, `/`-separated."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.startswith(".") or format_of(f) is None:
                continue
            if os.path.splitext(f)[0].lower() in SKIPPED_NAMES:
                continue
            path = os.path.join(folder, f)
            if os.path.isfile(path) and os.path.getsize(path) > 0:
                found.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return sorted(found)


def enrich_files(rels, root, binary, gazetteer=None):
    """Runs on an executor: every file of the partition through `newsidx enrich`."""
    from pyspark import SparkFiles

    exe = SparkFiles.get(binary)
    if not os.access(exe, os.X_OK):
        os.chmod(exe, os.stat(exe).st_mode | stat.S_IXUSR)
    for rel in rels:
        cmd = [exe, "enrich", "-", "--records", "--name", rel, "--format", format_of(rel)]
        if gazetteer:
            cmd += ["--gazetteer", SparkFiles.get(gazetteer)]
        with open(os.path.join(root, rel), "rb") as f:
            # Problems (a bad record: one line naming the file and line) go to the
            # executor's log; the records go on.
            proc = subprocess.Popen(cmd, stdin=f, stdout=subprocess.PIPE)
            for line in proc.stdout:
                yield line.decode("utf-8").rstrip("\n")
            code = proc.wait()
        # 0: all read; 1: some records were bad (said on stderr), the rest are out.
        if code not in (0, 1):
            raise RuntimeError(f"newsidx enrich stopped on {rel} (exit {code})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="folder of articles (JSON lines, web archives, ...)")
    ap.add_argument("output", help="folder to write enriched records to (must not exist)")
    ap.add_argument("--master", default=None, help="Spark master (default: spark-submit's)")
    ap.add_argument("--newsidx", default=shutil.which("newsidx") or "target/release/newsidx",
                    help="the newsidx binary to ship to the executors")
    ap.add_argument("--gazetteer", default=None, help="a gazetteer file of your own, shipped too")
    ap.add_argument("--partitions", type=int, default=None,
                    help="tasks (default: one per file, at most 4 per core)")
    args = ap.parse_args()

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("newsidx-enrich")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    root = os.path.abspath(args.input)
    files = list_files(root)
    if not files:
        sys.exit(f"error: {args.input}: no article files found")
    sc.addFile(os.path.abspath(args.newsidx))
    binary = os.path.basename(args.newsidx)
    gazetteer = None
    if args.gazetteer:
        sc.addFile(os.path.abspath(args.gazetteer))
        gazetteer = os.path.basename(args.gazetteer)
    slices = args.partitions or min(len(files), 4 * sc.defaultParallelism)
    records = sc.parallelize(files, slices).mapPartitions(
        lambda rels: enrich_files(rels, root, binary, gazetteer)
    )
    records.saveAsTextFile(args.output)
    spark.stop()
    # `newsidx ingest --enriched` reads .ndjson files: name the parts so when the
    # output is a local folder (elsewhere, rename them when copying them down).
    if "://" not in args.output and os.path.isdir(args.output):
        for name in os.listdir(args.output):
            if name.startswith("part-") and not name.endswith(".ndjson"):
                os.rename(os.path.join(args.output, name),
                          os.path.join(args.output, name + ".ndjson"))


if __name__ == "__main__":
    main()
