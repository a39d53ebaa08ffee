// swift-tools-version:5.10
import PackageDescription

let package = Package(
    name: "vitrel",
    products: [
        .library(name: "VitRel", targets: ["VitRel"]),
        .executable(name: "vitrel", targets: ["VitRelCLI"]),
        .executable(name: "vitrel-fuzz", targets: ["VitRelFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // C libraries, bound once each (module map + shim header; include paths from pkg-config).
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // oneDNN (Intel's deep-learning primitives, Debian's libdnnl-dev has no pkg-config file):
        // vitrel's single-precision GEMMs; OpenBLAS keeps Float64 GEMMs and LAPACK.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CSystem"),
        // The GELU and softmax kernels in C: clang vectorises them for AVX2 (chosen at load time)
        // where Swift's SIMD types are held to the x86-64 baseline.
        .target(name: "CVitRelKernels"),
        // bfloat16 products through oneDNN's matmul primitive (--precision bf16), in C where
        // oneDNN's descriptor structs are plain to use.
        .target(name: "CVitRelBF16", linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        // DICOM through DCMTK (Debian's libdcmtk-dev; headers under /usr/include/dcmtk, found as
        // <dcmtk/...>): DCMTK is C++, so a small C++ file parses (dcmdata) and renders
        // (dcmimgle) one file behind a plain C API; the JPEG, JPEG-LS and RLE decoders come
        // from dcmjpeg, dcmjpls and dcmdata. Policy and messages stay in VitRelImaging.
        .target(
            name: "CVitRelDICOM",
            linkerSettings: ["dcmimgle", "dcmjpeg", "dcmjpls", "dcmdata", "oflog", "ofstd"].map { .linkedLibrary($0) }
        ),
        // The foundation: tensors, kernels and matrix products, the thread pool, NPY, seeded
        // random draws, statistics, JSON values, clocks and progress bars. The rule: VitRelCore
        // depends on nothing of vitrel's but the C targets, so the compiler refuses any edge
        // from it back to the model, imaging, metrics or reports.
        .target(
            name: "VitRelCore",
            dependencies: [
                "COpenBLAS", "CDNNL", "CSystem", "CVitRelKernels", "CVitRelBF16",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        // Images: PNG/JPEG/DICOM decoding, PNG/JPEG encoding, colour conversions, cropping, Pillow's
        // resampling kernels, the eval transform (image → model input) and maps on a grid (Heatmap:
        // upsampling and scaling of relevance maps). The rule: on VitRelCore and the codecs' C
        // libraries only, never on the model, relevance, LIME, metrics or reports.
        .target(name: "VitRelImaging", dependencies: ["VitRelCore", "CPNG", "CJPEG", "CVitRelDICOM"]),
        // LIME and its superpixels (quickshift, SLIC, patch grid), perturbations and weighted
        // ridge surrogates. The rule: on VitRelCore and VitRelImaging only (plus the C kernels
        // and LAPACK it calls); the classifier it explains is a closure, never the model.
        .target(
            name: "VitRelLIME",
            dependencies: ["VitRelCore", "VitRelImaging", "COpenBLAS", "CVitRelKernels"]
        ),
        // The model: a ViT's layers, each with its forward, backward and relevance rules
        // (`Rules` is the vocabulary of rules a layer applies and the ledger of what they leak),
        // checkpoints (timm and Hugging Face folders, safetensors) and configurations. The rule:
        // on VitRelCore and VitRelImaging only; it knows no explanation method, metric or report.
        .target(
            name: "VitRelModel",
            dependencies: ["VitRelCore", "VitRelImaging", .product(name: "RealModule", package: "swift-numerics")]
        ),
        // Datasets on disk: class folders, split folders, COVID-QU-Ex and its masks, balancing,
        // the synthetic phantoms. The rule: on VitRelCore and VitRelImaging only; it knows no model.
        .target(name: "VitRelData", dependencies: ["VitRelCore", "VitRelImaging"]),
        // Pictures: overlays of heatmaps, colour maps, figure grids, charts as PNG and SVG. The rule:
        // on VitRelCore, VitRelImaging and VitRelLIME (superpixel boundaries) only; it draws what it
        // is given and knows no model or metric.
        .target(name: "VitRelRendering", dependencies: ["VitRelCore", "VitRelImaging", "VitRelLIME"]),
        // The explanation methods: the method descriptors, the explainer that runs a method's
        // passes over a model, rollouts and the relevance readouts. The rule: on VitRelModel (and
        // what it builds on) and VitRelLIME only; never on metrics, data or reports.
        .target(name: "VitRelExplain", dependencies: ["VitRelModel", "VitRelLIME"]),
        // The metrics of the literature (Quantus-style faithfulness, localisation, randomisation,
        // robustness, cost): one type per metric, its settings Codable. The rule: on VitRelModel
        // and VitRelData (ground-truth masks) only; a metric is handed maps, never a method.
        .target(name: "VitRelMetrics", dependencies: ["VitRelModel", "VitRelData"]),
        // Evaluation (predictions, confusion matrices, calibration, precision fidelity) and
        // training (losses, AdamW, schedules, layer-wise decay, checkpoints of a run). The rule:
        // on VitRelModel, VitRelData and VitRelLIME only; never on explanations or reports.
        .target(name: "VitRelTraining", dependencies: ["VitRelModel", "VitRelData", "VitRelLIME"]),
        // Documents: Markdown, HTML and Jupyter writers, tables, boxplots, reliability diagrams.
        // The rule: on VitRelRendering and VitRelTraining (calibration reports) only.
        .target(name: "VitRelReporting", dependencies: ["VitRelRendering", "VitRelTraining"]),
        // The library as one import: comparison tables and summaries, the shortcut audit and the
        // benchmarks, over every target above, which it re-exports (Sources/VitRel/Exports.swift)
        // so that `import VitRel` brings in the whole library. The rule: never on VitRelCompare
        // or the CLI.
        .target(
            name: "VitRel",
            dependencies: [
                "VitRelCore", "VitRelImaging", "VitRelLIME", "VitRelModel", "VitRelData", "VitRelRendering",
                "VitRelExplain", "VitRelMetrics", "VitRelTraining", "VitRelReporting",
            ]
        ),
        // The engine of `vitrel compare`, `explain`, `conservation` and `audit`: a comparison run
        // from request to rows, figures and reports (resumable, settings checked), the
        // explanation files of one image, the conservation audit, the shortcut audit's run. The rule: on VitRel only, never on
        // ArgumentParser, and it prints nothing: progress, warnings and per-file problems go
        // through a `RunObserver` its caller supplies.
        .target(name: "VitRelCompare", dependencies: ["VitRel"]),
        // The `vitrel` command. The rule: it parses arguments, builds a request, calls the
        // library and prints; no engine of its own.
        .executableTarget(
            name: "VitRelCLI",
            dependencies: [
                "VitRel", "VitRelCompare",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzzer (`make fuzz`): cases, mutations and the oracle in a target the tests
        // share to replay its findings; the executable drives the built `vitrel`.
        .target(name: "VitRelFuzzing", dependencies: ["VitRel"]),
        .executableTarget(name: "VitRelFuzz", dependencies: ["VitRelFuzzing"]),
        // What the test targets share: the repository's paths (fixtures, the shared samples,
        // scratch folders) and the tiny fixture model. The rule: test code only, on XCTest and
        // Foundation, so no test target depends on another.
        .target(name: "VitRelTestSupport", dependencies: ["VitRel"], path: "Tests/VitRelTestSupport"),
        // A test target per library target: each tests its own target (`@testable import`)
        // and reaches the ones below only where a test needs their internals; fixtures stay
        // in Tests/VitRelTests/Fixtures, found through TestPaths.
        .testTarget(name: "VitRelCoreTests", dependencies: ["VitRelCore", "CVitRelKernels", "VitRelTestSupport"]),
        .testTarget(name: "VitRelImagingTests", dependencies: ["VitRelImaging", "VitRelTestSupport"]),
        .testTarget(name: "VitRelLIMETests", dependencies: ["VitRelLIME", "VitRelCore", "VitRelImaging", "VitRelTestSupport"]),
        .testTarget(name: "VitRelModelTests", dependencies: ["VitRelModel", "VitRelTestSupport"]),
        .testTarget(name: "VitRelDataTests", dependencies: ["VitRelData", "VitRelTestSupport"]),
        .testTarget(name: "VitRelRenderingTests", dependencies: ["VitRelRendering", "VitRelTestSupport"]),
        .testTarget(name: "VitRelExplainTests", dependencies: ["VitRelExplain", "VitRelTestSupport"]),
        // The metrics' tests also explain with a real method, so the randomisation test sees a
        // method's maps change (the library's metrics are handed maps, never a method).
        .testTarget(name: "VitRelMetricsTests", dependencies: ["VitRelMetrics", "VitRelExplain", "VitRelTestSupport"]),
        .testTarget(name: "VitRelTrainingTests", dependencies: ["VitRelTraining", "VitRelTestSupport"]),
        .testTarget(name: "VitRelReportingTests", dependencies: ["VitRelReporting", "VitRelTestSupport"]),
        // The umbrella target's own parts (comparison tables, shards, the audit), the fuzzer's
        // findings replayed, and the `vitrel` binary run as users run it.
        .testTarget(
            name: "VitRelTests",
            dependencies: ["VitRel", "VitRelCLI", "VitRelFuzzing", "VitRelTestSupport"],
            exclude: ["Fixtures"]
        ),
        // The engine called directly (no binary): comparison runs, resumption, the audit.
        .testTarget(name: "VitRelCompareTests", dependencies: ["VitRelCompare", "VitRel", "VitRelTestSupport"]),
    ]
)
