// filled in by the benchmark
