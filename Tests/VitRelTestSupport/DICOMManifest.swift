import Foundation
import VitRel

/// `Fixtures/dicom/manifest.json`, written by `Tools/make_dicom_fixtures.py`: the DICOM
/// fixtures, the pydicom displayed image each is checked against, the files vitrel refuses.
public struct DICOMManifest: Decodable {
    public struct ImageCase: Decodable {
        public let file: String
        public let reference: String
        public let photometric: String
        public let bitsStored: Int
        /// "window", "lut" or "minmax": what the reference applied.
        public let voi: String
        /// Width of the window applied (nil for "lut" and "minmax").
        public let windowWidth: Double?
        /// Rescale Slope/Intercept give modality values that are not whole numbers.
        public let fractionalModality: Bool
        public let note: String
    }
    public struct Refused: Decodable {
        public let file: String
        /// Words the one-line error must contain.
        public let contains: String
    }
    public struct WindowOverride: Decodable {
        public let file: String
        public let center: Double
        public let width: Double
        public let fractionalModality: Bool
        public let reference: String
    }
    public let images: [ImageCase]
    public let refused: [Refused]
    public let windowOverrides: [WindowOverride]

    public static func load() throws -> DICOMManifest {
        try JSONDecoder().decode(DICOMManifest.self, from: Data(contentsOf: fixture("manifest.json")))
    }

    public static func fixture(_ name: String) -> URL { TestPaths.fixture("dicom/\(name)") }

    /// A reference displayed image: float32 [20, 24] in [0, 1].
    public static func reference(_ name: String) throws -> [Float] {
        try NPY.read(fixture(name)).tensor(of: Float.self).scalars
    }
}
