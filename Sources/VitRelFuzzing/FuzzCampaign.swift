import Foundation
import VitRel

/// The fuzzer: a seeded stream of cases — mutated model folders, images and command lines —
/// each run through the built `vitrel` and judged by `FuzzOracle`. Every distinct finding is
/// written as a regression fixture (`Fixtures/fuzz/<name>/case.json`) that the test suite
/// replays (`FuzzRegressionTests`).
public struct FuzzCampaign {
    public var executable: URL
    /// Tests/VitRelTests/Fixtures.
    public var fixtures: URL
    public var seed: UInt64
    public var duration: Double
    public var timeout: Double
    /// Where findings are written (default Fixtures/fuzz).
    public var findings: URL
    public var log: (String) -> Void
    /// Each subcommand's options as its `--help` lists them (`learnOptions()`); the argument
    /// mutations draw from them, so `--calibration-bins` meets `evaluate` and not only `explain`.
    public var commandOptions = [String: [String]]()

    public init(executable: URL, fixtures: URL, seed: UInt64, duration: Double, timeout: Double, findings: URL? = nil,
                log: @escaping (String) -> Void) {
        self.executable = executable
        self.fixtures = fixtures
        self.seed = seed
        self.duration = duration
        self.timeout = timeout
        self.findings = findings ?? fixtures.appendingPathComponent("fuzz")
        self.log = log
    }

    /// Command lines the cases start from (placeholders as in `FuzzCase`), kept to what a
    /// tiny model runs in well under a second so that a timeout means a hang.
    static let modelCommands: [[String]] = [
        ["inspect", "--model", "{model}"],
        ["predict", "--model", "{model}", "--image", "{image}", "--json"],
        ["predict", "--model", "{model}", "--image", "{image}"],
        ["explain", "--model", "{model}", "--image", "{image}", "--method", "chefer-lrp", "--out", "{out}"],
        ["conservation", "--model", "{model}", "--image", "{image}"],
    ]
    static let imageCommands: [[String]] = [
        ["predict", "--model", "{model}", "--image", "{image}"],
        ["explain", "--model", "{model}", "--image", "{image}", "--method", "attention-rollout", "--out", "{out}"],
        ["conservation", "--model", "{model}", "--image", "{image}", "--json"],
        ["segment", "--image", "{image}", "--method", "grid", "--out", "{out}.png"],
        ["evaluate", "--model", "{model}", "--data", "{data}", "--split", "val"],
    ]
    static let argumentCommands: [[String]] = modelCommands + imageCommands + [
        ["explain", "--model", "{model}", "--image", "{image}", "--method", "integrated-gradients", "--steps", "4", "--out", "{out}"],
        ["explain", "--model", "{model}", "--image", "{image}", "--method", "lime", "--samples", "40", "--segmentation", "grid", "--out", "{out}"],
        ["explain", "--model", "{model}", "--image", "{image}", "--method", "gradient", "--target", "all", "--out", "{out}"],
        ["evaluate", "--model", "{model}", "--data", "{data}", "--split", "val", "--fit-temperature", "--json"],
        ["compare", "--model", "{model}", "--data", "{data}", "--split", "val", "--methods", "attention-rollout",
         "--metrics", "faithfulness-estimate,pixel-flipping", "--grids", "0", "--out", "{out}"],
        ["audit", "--model", "{model}", "--data", "{data}", "--split", "val", "--per-class", "1", "--methods", "attention-rollout", "--out", "{out}"],
    ]

    /// Case `iteration` of this seed (the same every time).
    public func makeCase(_ iteration: Int) throws -> FuzzCase {
        var mutator = FuzzMutator(seed: seed, iteration: iteration)
        // Command lines get half the cases: most of vitrel's surface is its options.
        switch iteration % 4 {
        case 0:
            // A model folder.
            let arguments = mutator.pick(Self.modelCommands)
            if mutator.chance(0.5) {
                let seedName = "fixture:checkpoints/timm_token/config.json"
                let original = try FuzzSeeds.data(seedName, fixtures: fixtures)
                let edits: [FuzzCase.Edit]
                if mutator.chance(0.8), let mutated = mutator.mutateJSON(original) {
                    edits = [FuzzCase.Edit(at: 0, remove: original.count, insert: mutated)]
                } else {
                    edits = mutator.byteEdits(of: original)
                }
                return FuzzCase(arguments: arguments, files: ["model/config.json": .init(seed: seedName, edits: edits)], seed: seed, iteration: iteration)
            }
            let seedName = "fixture:checkpoints/timm_token/model.safetensors"
            let edits = mutator.safetensorsEdits(of: try FuzzSeeds.data(seedName, fixtures: fixtures))
            return FuzzCase(arguments: arguments, files: ["model/model.safetensors": .init(seed: seedName, edits: edits)], seed: seed, iteration: iteration)
        case 1:
            // An image: a mutated PNG or JPEG, or an unusual valid PNG.
            let arguments = mutator.pick(Self.imageCommands)
            switch Int.random(in: 0..<3, using: &mutator.generator) {
            case 0:
                let edits = mutator.byteEdits(of: try FuzzSeeds.data(FuzzSeeds.xrayPNG, fixtures: fixtures))
                return FuzzCase(arguments: arguments, files: ["image.png": .init(seed: FuzzSeeds.xrayPNG, edits: edits)], seed: seed, iteration: iteration)
            case 1:
                let seedName = "fixture:imaging/jpeg/gray.jpg"
                let edits = mutator.byteEdits(of: try FuzzSeeds.data(seedName, fixtures: fixtures))
                return FuzzCase(arguments: arguments, files: ["image.jpg": .init(seed: seedName, edits: edits)], seed: seed, iteration: iteration)
            default:
                let png = mutator.generatedPNG()
                return FuzzCase(arguments: arguments, files: ["image.png": .init(seed: FuzzSeeds.empty, edits: [.init(at: 0, remove: 0, insert: png)])],
                                seed: seed, iteration: iteration)
            }
        default:
            // A command line (iterations 2 and 3 of every 4).
            let template = mutator.pick(Self.argumentCommands)
            let arguments = mutator.mutateArguments(template, known: commandOptions[template[0]] ?? [])
            return FuzzCase(arguments: arguments, seed: seed, iteration: iteration)
        }
    }

    /// Reads each template command's options from `vitrel <command> --help` (every word
    /// `--name` of it: the option groups have sections of their own; help and version left out).
    public mutating func learnOptions() {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-fuzz-help-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for command in Set(Self.argumentCommands.map { $0[0] }).sorted() {
            guard let outcome = try? FuzzOracle.run(executable: executable, arguments: [command, "--help"], directory: scratch, timeout: timeout)
            else { continue }
            let words = outcome.stdout.components(separatedBy: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ",[]<>()")))
            let options = words.filter { $0.hasPrefix("--") && $0.count > 2 && $0 != "--help" && $0 != "--version" && !$0.contains("=") }
            commandOptions[command] = Array(Set(options)).sorted()
        }
    }

    /// Runs `fuzzCase` in a fresh folder under `scratch`; returns the problem, if any.
    public func judge(_ fuzzCase: FuzzCase, scratch: URL) throws -> (problem: String?, outcome: FuzzOracle.Outcome) {
        let folder = scratch.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = try fuzzCase.materialize(in: folder, fixtures: fixtures)
        let outcome = try FuzzOracle.run(executable: executable, arguments: arguments, directory: folder, timeout: timeout)
        let classNames = Self.classNames(in: folder.appendingPathComponent("model/config.json"))
        return (FuzzOracle.problem(outcome, timeout: timeout, classNames: classNames), outcome)
    }

    /// The label names a (possibly mutated) config.json declares, to tell a class called
    /// "nan" from a NaN.
    static func classNames(in url: URL) -> Set<String> {
        guard let data = try? Data(contentsOf: url), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        var names = Set<String>()
        for key in ["label_names", "id2label"] {
            if let list = object[key] as? [Any] { names.formUnion(list.compactMap { $0 as? String }) }
            if let map = object[key] as? [String: Any] { names.formUnion(map.values.compactMap { $0 as? String }) }
        }
        return names
    }

    public struct Summary {
        public var cases = 0
        public var findings = [String]()
        /// How the cases ended ("exit 0", "exit 1", "exit 64", "signal 5", "hang"): a fuzzer
        /// whose cases all exit 64 tests nothing but the parser.
        public var endings = [String: Int]()

        public var endingsDescription: String {
            endings.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        }
    }

    /// Runs cases until `duration` has passed; writes each new finding as a fixture.
    public mutating func run() throws -> Summary {
        learnOptions()
        log("options from --help: " + commandOptions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count)" }.joined(separator: ", "))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var summary = Summary(), signatures = Set<String>()
        let started = Date()
        var iteration = 0
        while Date().timeIntervalSince(started) < duration {
            var fuzzCase = try makeCase(iteration)
            let (problem, outcome) = try judge(fuzzCase, scratch: scratch)
            summary.cases += 1
            let ending = outcome.timedOut ? "hang" : outcome.signal.map { "signal \($0)" } ?? "exit \(outcome.status)"
            summary.endings[ending, default: 0] += 1
            if let problem {
                // One fixture per kind of failure of one command.
                let signature = "\(fuzzCase.arguments.first ?? "") \(problem)"
                if signatures.insert(signature).inserted {
                    fuzzCase.finding = problem
                    let name = "seed\(seed)-case\(iteration)"
                    let folder = findings.appendingPathComponent(name)
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    try fuzzCase.write(to: folder.appendingPathComponent("case.json"))
                    let lastLine = outcome.stderr.split(separator: "\n").last.map(String.init) ?? ""
                    log("FINDING \(name): \(problem): vitrel \(fuzzCase.arguments.joined(separator: " ")) | \(lastLine.prefix(200))")
                    summary.findings.append(name)
                }
            }
            iteration += 1
        }
        return summary
    }
}
