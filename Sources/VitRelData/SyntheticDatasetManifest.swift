/// `synth.json`: how a synthetic dataset was made and what is in it, written beside the
/// images so a dataset can be regenerated, audited (which images carry the shortcut) and
/// cited (vitrel version, seed, parameters).
public struct SyntheticDatasetManifest: Codable, Equatable, Sendable {
    public struct Split: Codable, Equatable, Sendable {
        public var name: String
        public var fraction: Double
    }

    public struct Entry: Codable, Equatable, Sendable {
        public var split: String
        public var className: String
        /// The file name shared by the image and its two masks (`non_COVID (12).png`).
        public var fileName: String
        /// The phantom's `ChestPhantomGenerator` index (its random stream).
        public var generatorIndex: Int
        public var hasShortcut: Bool
        /// The class folder name whose corner carries the shortcut square (the image's own
        /// class unless the placement is `swapped`); absent when there is none.
        public var shortcutClass: String?
        /// Burned-in projection markers ("" when none).
        public var markers: String
        /// Infected lung pixels over lung pixels.
        public var infectionAreaFraction: Double
    }

    public var generator: String
    public var vitrelVersion: String
    public var seed: UInt64
    public var perClass: Int
    public var parameters: PhantomParameters
    public var splits: [Split]
    /// Image counts by split, then class folder name.
    public var counts: [String: [String: Int]]
    public var images: [Entry]
}
