/// `import VitRel` is the whole library. Its parts are SwiftPM targets whose dependencies run
/// one way, so the compiler refuses an edge against the arrows (README, "Architecture"):
/// - `VitRelCore`: tensors, kernels, matrix products, the thread pool, NPY, seeded draws,
///   statistics, JSON values, clocks and progress bars;
/// - `VitRelImaging`: codecs (PNG, JPEG, DICOM), colour conversions, resampling, preprocessing;
/// - `VitRelLIME`: superpixels, perturbations, weighted ridge surrogates (the classifier is a
///   closure);
/// - `VitRelModel`: the ViT's layers with their relevance rules, checkpoints, configurations;
/// - `VitRelData`: datasets on disk and their masks;
/// - `VitRelRendering`: heatmaps, overlays, grids and charts;
/// - `VitRelExplain`: the explanation methods over the model;
/// - `VitRelMetrics`: the metrics of the literature;
/// - `VitRelTraining`: evaluation and training;
/// - `VitRelReporting`: Markdown, HTML and notebook documents;
/// and this target itself: comparison tables and summaries, the shortcut audit, benchmarks.
/// All are re-exported, so the CLI, the fuzzer and users need not know where the lines run.
@_exported import VitRelCore
@_exported import VitRelImaging
@_exported import VitRelLIME
@_exported import VitRelModel
@_exported import VitRelData
@_exported import VitRelRendering
@_exported import VitRelExplain
@_exported import VitRelMetrics
@_exported import VitRelTraining
@_exported import VitRelReporting
