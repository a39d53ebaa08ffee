/// VitRel is built on `VitRelCore` (tensors, kernels, matrix products, the thread pool, NPY,
/// seeded draws, statistics, clocks and progress bars), a separate target so that the compiler
/// keeps its dependencies one-way: the core cannot reach back into the model, imaging or
/// metrics. Re-exported so that `import VitRel` keeps bringing in the whole library — the CLI,
/// the fuzzer and users need not know where the line runs.
@_exported import VitRelCore
