"""Failure-line extraction on the labelled log corpus: QMOI against two tail baselines.

For each log: hit (at least one picked line is in the labelled chunk), line precision and
recall; means over the logs. Also per half of the repositories (split by a hash of the name),
to show the numbers do not hinge on a few repositories.

    python bench/explain_eval.py [--corpus /work/shared/corpus/logs/logchunks]
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

from qmoi.learn.evaluate import PICKERS, load_corpus, score, summarise

DEFAULT_CORPUS = Path("/work/shared/corpus/logs/logchunks")


def _half(repo: str) -> int:
    return zlib.crc32(repo.encode()) % 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    if not (args.corpus / "labels.jsonl").is_file():
        sys.stderr.write(f"no labels.jsonl under {args.corpus}\n")
        return 2
    corpus = load_corpus(args.corpus)
    repos = len({labelled.repo for labelled, _ in corpus})
    print(f"{len(corpus)} logs with a located chunk, {repos} repositories")
    print(f"{'extractor':26} {'hit':>6} {'prec':>6} {'recall':>6} {'hit A':>6} {'hit B':>6}"
          f" {'time':>7}")
    for name, picker in PICKERS.items():
        start = time.perf_counter()
        scores = [(labelled.repo, score(picker(lines), labelled.chunk))
                  for labelled, lines in corpus]
        elapsed = time.perf_counter() - start
        whole = summarise([s for _, s in scores])
        a, b = (summarise([s for repo, s in scores if _half(repo) == h]).hit_rate
                for h in (0, 1))
        print(f"{name:26} {whole.hit_rate:6.3f} {whole.precision:6.3f} {whole.recall:6.3f}"
              f" {a:6.3f} {b:6.3f} {elapsed:6.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
