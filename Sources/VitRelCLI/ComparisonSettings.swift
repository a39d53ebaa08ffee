import Foundation
import VitRel

/// What a comparison run's rows depend on, stored as `run.json` in the output folder.
///
/// A rerun into the same folder resumes only when these agree: rows are keyed by image,
/// method and metric, so rows made with another model, selection or metric setting must not be
/// mixed in. The lists of methods and metrics are not part of it — a rerun may add methods
/// or metrics, and only the missing rows are computed.
struct ComparisonSettings: Codable, Equatable {
    /// The model folder's name (its weights are identified by the checksum).
    var model: String
    /// FNV-1a of the weights file: the same folder retrained is another model.
    var modelChecksum: String
    var data: String
    var split: String
    var subset: String
    var selection: String
    var onlyCorrect: Bool
    var target: String
    var mask: String
    /// `--class-map` as given (nil without one, as in folders written before it existed): it
    /// decides the labels the rows carry.
    var classMap: String?
    /// `--precision` of the untraced forward passes (nil in folders written before it existed,
    /// which ran fp32): LIME's and the metrics' numbers depend on it.
    var precision: String?
    /// `--resize` (pillow or float; nil in folders written before it existed, which resized in
    /// float): every input, hence every row, depends on it. An old folder resumes only with
    /// `--resize float`, so rows of the two arithmetics never share a results.csv.
    var resize: String?
    /// Each method's settings, by method name.
    var methodSettings: [String: String]
    /// Each metric's configuration, by metric name.
    var metricSettings: [String: String]

    /// The settings that differ from `other`, named for the error message.
    func differences(from other: ComparisonSettings) -> [String] {
        var differences = [String]()
        func compare(_ name: String, _ a: String, _ b: String) {
            if a != b { differences.append("\(name): \(b) before, \(a) now") }
        }
        compare("model", model, other.model)
        compare("model weights", modelChecksum, other.modelChecksum)
        compare("data", data, other.data)
        compare("split", split, other.split)
        compare("subset", subset, other.subset)
        compare("selection", selection, other.selection)
        compare("only-correct", "\(onlyCorrect)", "\(other.onlyCorrect)")
        compare("target", target, other.target)
        compare("mask", mask, other.mask)
        compare("class map", classMap ?? "none", other.classMap ?? "none")
        compare("precision", precision ?? "fp32", other.precision ?? "fp32")
        if (resize ?? "float") != (other.resize ?? "float") {
            let note = other.resize == nil ? " (recorded before --resize existed; --resize float resumes it)" : ""
            differences.append("resize: \(other.resize ?? "float") before\(note), \(resize ?? "float") now")
        }
        // Methods and metrics may be added; the ones both runs have must agree.
        for (name, value) in methodSettings.sorted(by: { $0.key < $1.key }) {
            if let previous = other.methodSettings[name] { compare("\(name) settings", value, previous) }
        }
        for (name, value) in metricSettings.sorted(by: { $0.key < $1.key }) {
            if let previous = other.metricSettings[name] { compare("\(name) settings", value, previous) }
        }
        return differences
    }

    /// The union with `other`'s method and metric settings (a rerun that adds methods keeps
    /// the earlier ones on record).
    func merged(with other: ComparisonSettings) -> ComparisonSettings {
        var merged = self
        merged.methodSettings.merge(other.methodSettings) { current, _ in current }
        merged.metricSettings.merge(other.metricSettings) { current, _ in current }
        return merged
    }

    /// `ContentChecksum` of the weights file (FNV-1a, 16 hex digits).
    static func checksum(of url: URL) throws -> String {
        do { return try ContentChecksum.of([url]) } catch { throw CLIError("\(error)") }
    }
}

/// `run.json`: the settings plus what a reader of the report wants to know about the run.
struct ComparisonRunRecord: Codable {
    var settings: ComparisonSettings
    var command: String
    var version: String
    /// OpenBLAS's configuration, the copy of vitrel's C kernels that ran and the threads used
    /// (the seconds depend on them; the other results do not).
    var blas: String?
    var kernels: String?
    var threads: Int?
    var methods: [String]
    var metrics: [String]
    var images: Int
}
