import Foundation
import VitRel

/// One input of the fuzzer, and a regression fixture once it has broken vitrel: a command
/// line with placeholders and the files it reads, each kept as a few edits of a seed file so a
/// fixture stays a few hundred bytes (Tests/VitRelTests/Fixtures/fuzz/<name>/case.json).
///
/// Placeholders: `{model}` a copy of the tiny fixture model (`checkpoints/timm_token`),
/// `{image}` the case's image (default: the generated 40 × 40 X-ray), `{data}` a split folder
/// `val/<class>/` with that image in each of the model's three classes, `{out}` a fresh path.
public struct FuzzCase: Codable, Equatable, Sendable {
    /// Replace `remove` bytes at `at` by `insert` (base64).
    public struct Edit: Codable, Equatable, Sendable {
        public var at: Int
        public var remove: Int
        public var insert: String

        public init(at: Int, remove: Int, insert: Data) {
            self.at = at
            self.remove = remove
            self.insert = insert.base64EncodedString()
        }
    }

    /// A file of the case: a seed (`FuzzSeeds`) with edits applied in order.
    public struct DerivedFile: Codable, Equatable, Sendable {
        public var seed: String
        public var edits: [Edit]

        public init(seed: String, edits: [Edit]) {
            self.seed = seed
            self.edits = edits
        }
    }

    public var arguments: [String]
    /// Path in the case's folder ("model/config.json", "image.png", "image.jpg") → content.
    public var files: [String: DerivedFile]
    /// What the fuzzer saw when it kept the case (a crash, a hang, a `nan` printed).
    public var finding: String?
    public var seed: UInt64?
    public var iteration: Int?

    public init(arguments: [String], files: [String: DerivedFile] = [:], finding: String? = nil, seed: UInt64? = nil, iteration: Int? = nil) {
        self.arguments = arguments
        self.files = files
        self.finding = finding
        self.seed = seed
        self.iteration = iteration
    }

    /// The image file name `{image}` stands for.
    public var imageName: String { files.keys.sorted().first { $0.hasPrefix("image.") } ?? "image.png" }

    /// Writes the case's files into `folder` (created) and returns the arguments with the
    /// placeholders resolved. `fixtures` is Tests/VitRelTests/Fixtures.
    public func materialize(in folder: URL, fixtures: URL) throws -> [String] {
        let manager = FileManager.default
        let model = folder.appendingPathComponent("model")
        try manager.createDirectory(at: model, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FuzzSeeds.data("fixture:checkpoints/timm_token/\(name)", fixtures: fixtures).write(to: model.appendingPathComponent(name))
        }
        try FuzzSeeds.data(FuzzSeeds.xrayPNG, fixtures: fixtures).write(to: folder.appendingPathComponent("image.png"))
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            let url = folder.appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Self.apply(file.edits, to: FuzzSeeds.data(file.seed, fixtures: fixtures)).write(to: url)
        }
        let image = folder.appendingPathComponent(imageName)
        let data = folder.appendingPathComponent("data")
        for className in ["COVID-19", "Non-COVID", "Normal"] {
            let classFolder = data.appendingPathComponent("val").appendingPathComponent(className)
            try manager.createDirectory(at: classFolder, withIntermediateDirectories: true)
            try manager.copyItem(at: image, to: classFolder.appendingPathComponent("x-\(className).\(image.pathExtension)"))
        }
        let out = folder.appendingPathComponent("out")
        return arguments.map { argument in
            argument.replacingOccurrences(of: "{model}", with: model.path).replacingOccurrences(of: "{image}", with: image.path)
                .replacingOccurrences(of: "{data}", with: data.path).replacingOccurrences(of: "{out}", with: out.path)
        }
    }

    /// `data` with `edits` applied in order; edits past the end are clamped to it.
    public static func apply(_ edits: [Edit], to data: Data) -> Data {
        var bytes = [UInt8](data)
        for edit in edits {
            let at = min(max(edit.at, 0), bytes.count)
            let end = min(bytes.count, at + max(edit.remove, 0))
            bytes.replaceSubrange(at..<end, with: [UInt8](Data(base64Encoded: edit.insert) ?? Data()))
        }
        return Data(bytes)
    }

    public static func load(_ url: URL) throws -> FuzzCase {
        try JSONDecoder().decode(FuzzCase.self, from: Data(contentsOf: url))
    }

    public func write(to url: URL) throws {
        try jsonString(self).write(to: url, atomically: true, encoding: .utf8)
    }
}

/// The files cases start from: fixtures of the test suite, and images made here so that no
/// binary seed has to be committed.
public enum FuzzSeeds {
    public static let xrayPNG = "generated:xray.png"
    public static let empty = "empty"

    public static func data(_ seed: String, fixtures: URL) throws -> Data {
        if seed == empty { return Data() }
        if seed == xrayPNG { return try ImageIO.encodePNG(xray()) }
        if seed.hasPrefix("fixture:") {
            return try Data(contentsOf: fixtures.appendingPathComponent(String(seed.dropFirst("fixture:".count))))
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "unknown fuzz seed \(seed)"])
    }

    /// A 40 × 40 gray "X-ray": a vertical ramp with a bright disc (the CLI tests' image).
    static func xray() -> Image {
        let side = 40
        let pixels = (0..<(side * side)).map { i -> Float in
            let x = Float(i % side), y = Float(i / side)
            let disc: Float = (x - 14) * (x - 14) + (y - 22) * (y - 22) < 36 ? 0.9 : 0
            return min(1, 0.2 + 0.5 * y / Float(side) + disc * 0.5)
        }
        return Image(width: side, height: side, channels: 1, pixels: pixels)
    }
}
