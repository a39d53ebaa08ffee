import Foundation

/// A checkpoint made ready to classify images: the network, its preprocessing and class names.
public struct ClassifierModel: Sendable {
    public var network: VisionTransformer<Float>
    public var preprocessing: Preprocessing
    public var directory: URL
    public var format: ViTCheckpoint.Format

    public var config: ViTConfig { network.config }
    public var classNames: [String] { network.config.classNames }

    public init(network: VisionTransformer<Float>, preprocessing: Preprocessing, directory: URL, format: ViTCheckpoint.Format) {
        self.network = network
        self.preprocessing = preprocessing
        self.directory = directory
        self.format = format
    }

    /// Loads a timm or Hugging Face folder; errors name the folder and the problem.
    public static func load(from directory: URL) throws -> ClassifierModel {
        let checkpoint = try ViTCheckpoint.load(from: directory)
        do {
            let network = try VisionTransformer<Float>(config: checkpoint.config, weights: checkpoint.weights)
            return ClassifierModel(
                network: network, preprocessing: checkpoint.preprocessing, directory: directory, format: checkpoint.format)
        } catch let error as ModelError {
            throw ModelLoadError(directory: directory, problem: error.description)
        }
    }

    /// The model's input tensor [B, 3, H, W] for decoded images.
    public func inputs(for images: [Image]) -> Tensor<Float> {
        preprocessing.apply(batch: images)
    }

    /// Logits [B, classes] for decoded images, in batches of `batchSize`.
    public func logits(for images: [Image], batchSize: Int = 16) throws -> Tensor<Float> {
        var rows = [Float]()
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let batch = Array(images[start..<(start + min(batchSize, images.count - start))])
            rows += try network(inputs(for: batch)).scalars
        }
        return Tensor(shape: [images.count, config.classCount], scalars: rows)
    }

    /// Resolves a class given by name (case-insensitive) or index.
    public func classIndex(_ name: String) throws -> Int {
        if let index = Int(name) {
            guard index >= 0 && index < config.classCount else { throw ClassLookupError.targetOutOfRange(index, config.classCount) }
            return index
        }
        if let index = classNames.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) { return index }
        throw ClassLookupError.unknownClass(name, classNames)
    }
}

/// A model folder whose weights do not fit its configuration.
public struct ModelLoadError: Error, CustomStringConvertible {
    public var directory: URL
    public var problem: String
    public var description: String { "\(directory.path): \(problem)" }
}

/// Softmax of logits rows, in Double for stable probabilities.
public func softmaxProbabilities(_ logits: [Float]) -> [Double] {
    let maximum = Double(logits.max() ?? 0)
    let exps = logits.map { Foundation.exp(Double($0) - maximum) }
    let total = exps.reduce(0, +)
    return exps.map { $0 / total }
}

/// Where the model shipped in Models/ lives, for commands run without `--model`.
///
/// Looked for, in order: `$VITREL_MODEL`; `Models/<defaultName>` beside the executable
/// (a copied tarball); `<prefix>/share/vitrel/Models/<defaultName>` for an executable in
/// `<prefix>/bin` (an installed build); then `Models/<defaultName>` in the executable's folder's
/// parents (a build in `.build/release` finds its repository's) and in the working directory
/// and its parents. The executable is the running one (`/proc/self/exe`), not `argv[0]`, which
/// is a bare `vitrel` when it was found on `PATH`.
public enum ShippedModel {
    /// Folder name of the default model inside Models/.
    public static let defaultName = "vit-radiography-dinov2-112-ld"
    /// How many parent folders the upward searches climb.
    static let parentLevels = 5

    /// The shipped model's folder, or nil (`notFoundMessage` says where it looked).
    public static func locate(
        executable: URL? = runningExecutable, currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL? {
        if let path = environment["VITREL_MODEL"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let fileManager = FileManager.default
        return searchPlaces(executable: executable, currentDirectory: currentDirectory).flatMap(\.folders).first {
            fileManager.fileExists(atPath: $0.appendingPathComponent("config.json").path)
        }
    }

    /// A place searched: a folder that may hold the model, or `Models/<defaultName>` in a
    /// folder and its parents.
    struct SearchPlace {
        var start: URL
        var climbs: Bool
        var folders: [URL] {
            guard climbs else { return [start] }
            var folders = [URL](), directory = start
            for _ in 0...ShippedModel.parentLevels {
                folders.append(directory.appendingPathComponent("Models").appendingPathComponent(ShippedModel.defaultName))
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
            return folders
        }
        var description: String {
            climbs ? "Models/\(ShippedModel.defaultName) in \(start.path) and up to \(ShippedModel.parentLevels) folders above it" : start.path
        }
    }

    static func searchPlaces(executable: URL?, currentDirectory: URL) -> [SearchPlace] {
        var places = [SearchPlace]()
        if let executable {
            let folder = executable.deletingLastPathComponent().standardizedFileURL
            places.append(SearchPlace(start: folder.appendingPathComponent("Models").appendingPathComponent(defaultName), climbs: false))
            places.append(SearchPlace(
                start: folder.deletingLastPathComponent().appendingPathComponent("share/vitrel/Models").appendingPathComponent(defaultName),
                climbs: false))
            places.append(SearchPlace(start: folder.deletingLastPathComponent(), climbs: true))
        }
        places.append(SearchPlace(start: currentDirectory.standardizedFileURL, climbs: true))
        return places
    }

    /// The one-line error when `locate` finds nothing: every place it looked.
    public static func notFoundMessage(
        executable: URL? = runningExecutable, currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> String {
        let places = searchPlaces(executable: executable, currentDirectory: currentDirectory).map(\.description)
        return "no --model given and the shipped model \(defaultName) was not found; looked in \(places.joined(separator: "; "))"
            + " (pass --model DIR or set VITREL_MODEL)"
    }

    /// The running executable: `/proc/self/exe` on Linux, else `argv[0]` made absolute.
    public static var runningExecutable: URL? {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: target)
        }
        guard let first = CommandLine.arguments.first, first.contains("/") else { return nil }
        return URL(fileURLWithPath: first).resolvingSymlinksInPath()
    }
}
