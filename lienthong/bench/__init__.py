"""Benchmarks run from the command line (`lienthong bench …`); not tests, no pass or fail."""

from lienthong.bench.codec import CodecBench, Measure, run_codec_bench
from lienthong.bench.records import dossier_changes

__all__ = ["CodecBench", "Measure", "dossier_changes", "run_codec_bench"]
