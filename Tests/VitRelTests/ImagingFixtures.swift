import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// `Fixtures/imaging/manifest.json`, written by `Tools/make_imaging_fixtures.py`: which
/// fixture files exist and which reference (Pillow, torch, timm, numpy) each is checked against.
struct ImagingManifest: Decodable {
    struct DecodeCase: Decodable {
        let file: String
        let reference: String
        let channels: Int
        let bitDepth: Int
        /// Largest allowed difference in codes (JPEG: libjpeg-turbo versions may differ by 1).
        let tolerance: Int
    }
    struct Conversion: Decodable {
        let file: String
        let mode: String
        let reference: String
    }
    struct PillowResize: Decodable {
        struct Output: Decodable {
            let filter: String
            let width: Int
            let height: Int
            let reference: String
        }
        let input: String
        let outputs: [Output]
    }
    struct TorchInterpolate: Decodable {
        let mode: String
        let height: Int
        let width: Int
        let input: String
        let reference: String
    }
    struct PreprocessCase: Decodable {
        struct Config: Decodable {
            let inputHeight: Int
            let inputWidth: Int
            let interpolation: Preprocessing.Interpolation
            let resizeMode: Preprocessing.ResizeMode
            let cropPercent: Double
        }
        let source: String
        let config: Config
        let note: String
        let reference: String

        /// The configuration with mean 0 and std 1, so `apply` returns the [0, 1] samples
        /// the reference holds (before normalisation).
        var unnormalised: Preprocessing {
            Preprocessing(
                inputHeight: config.inputHeight, inputWidth: config.inputWidth, interpolation: config.interpolation,
                resizeMode: config.resizeMode, cropPercent: config.cropPercent, mean: [0, 0, 0], std: [1, 1, 1])
        }
    }
    struct NPYCase: Decodable {
        let file: String
        let dtype: String
        let shape: [Int]
        let values: [Double]
        let fortranOrder: Bool
    }
    struct BadInput: Decodable {
        let file: String
        /// The `ImageError` case expected: "corrupt", "unsupportedFormat", ...
        let error: String
        /// Text the error's detail must contain.
        let detail: String
    }
    struct XRays: Decodable {
        struct File: Decodable {
            let file: String
            let width: Int
            let height: Int
            let mode: String
            let sha256: String
        }
        let files: [File]
    }

    let decode: [DecodeCase]
    let conversions: [Conversion]
    let pillowFloatResize: PillowResize
    let torchInterpolate: [TorchInterpolate]
    let preprocess: [PreprocessCase]
    let npy: [NPYCase]
    let badInputs: [BadInput]
    let xrays: XRays

    static func load() throws -> ImagingManifest {
        let data = try Data(contentsOf: fixture("manifest.json"))
        return try JSONDecoder().decode(ImagingManifest.self, from: data)
    }

    static func fixture(_ relativePath: String) -> URL {
        TestPaths.fixture("imaging/" + relativePath)
    }

    static func array(_ relativePath: String) throws -> NPYArray {
        try NPY.read(fixture(relativePath))
    }
}
