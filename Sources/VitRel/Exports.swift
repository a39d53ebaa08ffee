/// VitRel is built on three targets of its own, kept apart so that the compiler holds their
/// dependencies one-way:
/// - `VitRelCore` (tensors, kernels, matrix products, the thread pool, NPY, seeded draws,
///   statistics, clocks and progress bars), which depends on no other vitrel target;
/// - `VitRelImaging` (PNG/JPEG/DICOM codecs, colour conversions, cropping, resampling, the eval
///   transform), which depends on the core alone: it cannot reach into the model, relevance
///   or metrics;
/// - `VitRelLIME` (superpixels, perturbations, weighted ridge surrogates, LIME explanations),
///   which depends on the core and imaging alone: the classifier it explains is a closure.
/// All three are re-exported so that `import VitRel` keeps bringing in the whole library — the
/// CLI, the fuzzer and users need not know where the lines run.
@_exported import VitRelCore
@_exported import VitRelImaging
@_exported import VitRelLIME
