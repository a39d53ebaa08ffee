import Foundation

/// Everything needed to continue a run at an epoch boundary bit for bit as if it had never
/// stopped: weights, AdamW moments and step count, epochs done, best metric, history, and the
/// configuration (whose seed, with the epoch number, fixes every later random draw: the
/// trainer derives each epoch's shuffling and augmentation streams from (seed, epoch), so no
/// generator state has to be carried over).
///
/// ## File format (version 1, little-endian)
///
///     offset 0        8 bytes   magic "VTRSTATE"
///     offset 8        UInt64    H, byte length of the header
///     offset 16       H bytes   header: UTF-8 JSON (`TrainingState.Header`)
///     offset 16 + H             payload: raw float32 tensors back to back
///
/// The header lists every tensor as {name, role, shape, offset}, offset in bytes from the start
/// of the payload; roles are "parameter", "first_moment" (AdamW m) and "second_moment" (v),
/// each in the model's `forEachParameter` order. Raw floats (not JSON numbers) keep the weights
/// exact and the file about 3× the model's size. Writing goes to a temporary file in the same
/// folder, is flushed to disk, then renamed over the target, so a crash leaves either the
/// old state or the new one, never a torn file.
public struct TrainingState: Sendable {
    public var modelConfiguration: ViTConfig
    public var configuration: TrainingConfiguration
    public var epochsCompleted: Int
    public var optimizerStepCount: Int
    public var bestValidationMacroRecall: Double?
    public var bestEpoch: Int?
    public var history: [EpochSummary]
    public var parameters: ParameterList<Float>
    public var firstMoments: [Tensor<Float>]
    public var secondMoments: [Tensor<Float>]

    public init(
        modelConfiguration: ViTConfig, configuration: TrainingConfiguration, epochsCompleted: Int,
        optimizerStepCount: Int, bestValidationMacroRecall: Double?, bestEpoch: Int?, history: [EpochSummary],
        parameters: ParameterList<Float>, firstMoments: [Tensor<Float>], secondMoments: [Tensor<Float>]
    ) {
        self.modelConfiguration = modelConfiguration
        self.configuration = configuration
        self.epochsCompleted = epochsCompleted
        self.optimizerStepCount = optimizerStepCount
        self.bestValidationMacroRecall = bestValidationMacroRecall
        self.bestEpoch = bestEpoch
        self.history = history
        self.parameters = parameters
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }

    static let magic = Array("VTRSTATE".utf8)
    static let formatVersion = 1

    /// The JSON header of a state file.
    public struct Header: Codable, Equatable, Sendable {
        public struct Entry: Codable, Equatable, Sendable {
            public var name: String
            public var role: String
            public var shape: [Int]
            public var offset: Int
        }
        public var format: Int
        public var dtype: String
        public var model: ViTConfig
        public var training: TrainingConfiguration
        public var epochsCompleted: Int
        public var optimizerStepCount: Int
        public var bestValidationMacroRecall: Double?
        public var bestEpoch: Int?
        public var history: [EpochSummary]
        public var tensors: [Entry]
        public var payloadBytes: Int
    }

    /// Writes the state atomically (temporary file, fsync, rename).
    public func write(to url: URL) throws {
        var entries = [Header.Entry]()
        var tensors = [Tensor<Float>]()
        var offset = 0
        func add(_ name: String, _ role: String, _ tensor: Tensor<Float>) {
            entries.append(Header.Entry(name: name, role: role, shape: tensor.shape, offset: offset))
            tensors.append(tensor)
            offset += tensor.count * MemoryLayout<Float>.size
        }
        for (name, tensor) in zip(parameters.names, parameters.tensors) { add(name, "parameter", tensor) }
        for (name, tensor) in zip(parameters.names, firstMoments) { add(name, "first_moment", tensor) }
        for (name, tensor) in zip(parameters.names, secondMoments) { add(name, "second_moment", tensor) }
        let header = Header(
            format: Self.formatVersion, dtype: "F32", model: modelConfiguration, training: configuration,
            epochsCompleted: epochsCompleted, optimizerStepCount: optimizerStepCount,
            bestValidationMacroRecall: bestValidationMacroRecall, bestEpoch: bestEpoch, history: history,
            tensors: entries, payloadBytes: offset)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let headerBytes = try encoder.encode(header)
        var prefix = Data(Self.magic)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { prefix.append(contentsOf: $0) }
        prefix.append(headerBytes)

        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        func fail(_ problem: String) -> TrainingError { .stateFile(path: url.path, problem: problem) }
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw fail("cannot create a temporary file in \(folder.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: prefix)
            for tensor in tensors {
                #if _endian(big)
                let swapped = tensor.scalars.map { $0.bitPattern.littleEndian }
                try swapped.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
                #else
                try tensor.scalars.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
                #endif
            }
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw fail("writing failed: \(error.localizedDescription)")
        }
        guard Foundation.rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw fail("cannot rename the temporary file into place (errno \(errno))")
        }
    }

    /// Reads a state written by `write(to:)`.
    public init(contentsOf url: URL) throws {
        func fail(_ problem: String) -> TrainingError { .stateFile(path: url.path, problem: problem) }
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw fail("cannot read (\(error.localizedDescription))")
        }
        guard data.count >= 16, Array(data.prefix(8)) == Self.magic else { throw fail("not a vitrel training state (bad magic)") }
        let headerLength = data.subdata(in: 8..<16).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 16) else { throw fail("truncated header") }
        let payloadStart = 16 + Int(headerLength)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: Header
        do { header = try decoder.decode(Header.self, from: data.subdata(in: 16..<payloadStart)) } catch {
            throw fail("unreadable header (\(error))")
        }
        guard header.format == Self.formatVersion, header.dtype == "F32" else {
            throw fail("format \(header.format) \(header.dtype) is not supported (this build reads format \(Self.formatVersion) F32)")
        }
        guard data.count - payloadStart == header.payloadBytes else {
            throw fail("payload has \(data.count - payloadStart) bytes, the header says \(header.payloadBytes) (truncated?)")
        }
        var roles = [String: (names: [String], tensors: [Tensor<Float>])]()
        for entry in header.tensors {
            let count = entry.shape.reduce(1, *)
            let end = entry.offset + count * MemoryLayout<Float>.size
            guard entry.shape.allSatisfy({ $0 >= 0 }), entry.offset >= 0, end <= header.payloadBytes else {
                throw fail("tensor \(entry.name) (\(entry.role)) lies outside the payload")
            }
            let scalars = data.subdata(in: (payloadStart + entry.offset)..<(payloadStart + end)).withUnsafeBytes { raw in
                (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
            roles[entry.role, default: ([], [])].names.append(entry.name)
            roles[entry.role, default: ([], [])].tensors.append(Tensor(shape: entry.shape, scalars: scalars))
        }
        let parameters = roles["parameter"] ?? ([], [])
        let first = roles["first_moment"] ?? ([], []), second = roles["second_moment"] ?? ([], [])
        guard first.names == second.names, first.names.isEmpty || first.names == parameters.names else {
            throw fail("optimiser moments do not match the parameters")
        }
        self.init(
            modelConfiguration: header.model, configuration: header.training, epochsCompleted: header.epochsCompleted,
            optimizerStepCount: header.optimizerStepCount, bestValidationMacroRecall: header.bestValidationMacroRecall,
            bestEpoch: header.bestEpoch, history: header.history,
            parameters: ParameterList(names: parameters.names, tensors: parameters.tensors),
            firstMoments: first.tensors, secondMoments: second.tensors)
    }
}
