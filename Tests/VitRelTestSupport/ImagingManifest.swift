import Foundation
import VitRelCore
import VitRelImaging

/// `Fixtures/imaging/manifest.json`, written by `Tools/make_imaging_fixtures.py`: which
/// fixture files exist and which reference (Pillow, torch, timm, numpy) each is checked against.
public struct ImagingManifest: Decodable {
    public struct DecodeCase: Decodable {
        public let file: String
        public let reference: String
        public let channels: Int
        public let bitDepth: Int
        /// Largest allowed difference in codes (JPEG: libjpeg-turbo versions may differ by 1).
        public let tolerance: Int
    }
    public struct Conversion: Decodable {
        public let file: String
        public let mode: String
        public let reference: String
    }
    public struct PillowResize: Decodable {
        public struct Output: Decodable {
            public let filter: String
            public let width: Int
            public let height: Int
            public let reference: String
        }
        public let input: String
        public let outputs: [Output]
    }
    public struct TorchInterpolate: Decodable {
        public let mode: String
        public let height: Int
        public let width: Int
        public let input: String
        public let reference: String
    }
    public struct PreprocessCase: Decodable {
        public struct Config: Decodable {
            public let inputHeight: Int
            public let inputWidth: Int
            public let interpolation: Preprocessing.Interpolation
            public let resizeMode: Preprocessing.ResizeMode
            public let cropPercent: Double
        }
        public let source: String
        public let config: Config
        public let note: String
        public let reference: String

        /// The configuration with mean 0 and std 1, so `apply` returns the [0, 1] samples
        /// the reference holds (before normalisation).
        public var unnormalised: Preprocessing {
            Preprocessing(
                inputHeight: config.inputHeight, inputWidth: config.inputWidth, interpolation: config.interpolation,
                resizeMode: config.resizeMode, cropPercent: config.cropPercent, mean: [0, 0, 0], std: [1, 1, 1])
        }
    }
    public struct NPYCase: Decodable {
        public let file: String
        public let dtype: String
        public let shape: [Int]
        public let values: [Double]
        public let fortranOrder: Bool
    }
    public struct BadInput: Decodable {
        public let file: String
        /// The `ImageError` case expected: "corrupt", "unsupportedFormat", ...
        public let error: String
        /// Text the error's detail must contain.
        public let detail: String
    }
    public struct XRays: Decodable {
        public struct File: Decodable {
            public let file: String
            public let width: Int
            public let height: Int
            public let mode: String
            public let sha256: String
        }
        public let files: [File]
    }

    public let decode: [DecodeCase]
    public let conversions: [Conversion]
    public let pillowFloatResize: PillowResize
    public let torchInterpolate: [TorchInterpolate]
    public let preprocess: [PreprocessCase]
    public let npy: [NPYCase]
    public let badInputs: [BadInput]
    public let xrays: XRays

    public static func load() throws -> ImagingManifest {
        let data = try Data(contentsOf: fixture("manifest.json"))
        return try JSONDecoder().decode(ImagingManifest.self, from: data)
    }

    public static func fixture(_ relativePath: String) -> URL {
        TestPaths.fixture("imaging/" + relativePath)
    }

    public static func array(_ relativePath: String) throws -> NPYArray {
        try NPY.read(fixture(relativePath))
    }
}
