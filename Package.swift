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
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CSystem"),
        // The GELU and softmax kernels in C: clang vectorises them for AVX2 (chosen at load time)
        // where Swift's SIMD types are held to the x86-64 baseline.
        .target(name: "CVitRelKernels"),
        .target(
            name: "VitRel",
            dependencies: [
                "COpenBLAS", "CPNG", "CJPEG", "CSystem", "CVitRelKernels",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        .executableTarget(
            name: "VitRelCLI",
            dependencies: [
                "VitRel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzzer (`make fuzz`): cases, mutations and the oracle in a target the tests
        // share to replay its findings; the executable drives the built `vitrel`.
        .target(name: "VitRelFuzzing", dependencies: ["VitRel"]),
        .executableTarget(name: "VitRelFuzz", dependencies: ["VitRelFuzzing"]),
        .testTarget(
            name: "VitRelTests",
            dependencies: ["VitRel", "CVitRelKernels", "VitRelFuzzing"],
            exclude: ["Fixtures"]
        ),
    ]
)
