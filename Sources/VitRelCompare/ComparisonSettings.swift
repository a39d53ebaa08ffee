import Foundation
import VitRel

/// What a comparison run's rows depend on, stored as `run.json` in the output folder.
///
/// A rerun into the same folder resumes only when these agree: rows are keyed by image,
/// method and metric, so rows made with another model, selection or metric setting must not be
/// mixed in. The lists of methods and metrics are not part of it — a rerun may add methods
/// or metrics, and only the missing rows are computed.
package struct ComparisonSettings: Codable, Equatable {
    /// The model folder's name (its weights are identified by the checksum).
    package var model: String
    /// FNV-1a of the weights file: the same folder retrained is another model.
    package var modelChecksum: String
    package var data: String
    package var split: String
    package var subset: String
    package var selection: String
    package var onlyCorrect: Bool
    package var target: String
    package var mask: String
    /// `--class-map` as given (nil without one, as in folders written before it existed): it
    /// decides the labels the rows carry.
    package var classMap: String?
    /// `--precision` of the untraced forward passes (nil in folders written before it existed,
    /// which ran fp32): LIME's and the metrics' numbers depend on it.
    package var precision: String?
    /// `--window` as "C,W" (nil without one, as in folders written before it existed): the
    /// DICOM images, and so every number, depend on it.
    package var window: String?
    /// `--resize` (pillow or float; nil in folders written before it existed, which resized in
    /// float): every input, hence every row, depends on it. An old folder resumes only with
    /// `--resize float`, so rows of the two arithmetics never share a results.csv.
    package var resize: String?
    /// Each method's settings, by method name (`MethodSettings`, field by field).
    package var methodSettings: [String: RecordedSettings]
    /// Each metric's configuration, by metric name (the metric struct, field by field).
    package var metricSettings: [String: RecordedSettings]

    /// The settings that differ from `other`, named for the error message.
    package func differences(from other: ComparisonSettings) -> [String] {
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
        compare("window", window ?? "the files'", other.window ?? "the files'")
        if (resize ?? "float") != (other.resize ?? "float") {
            let note = other.resize == nil ? " (recorded before --resize existed; --resize float resumes it)" : ""
            differences.append("resize: \(other.resize ?? "float") before\(note), \(resize ?? "float") now")
        }
        // Methods and metrics may be added; the ones both runs have must agree.
        // A field that differs is named: "region-perturbation: patchSize 16 before, 8 now".
        for (name, value) in methodSettings.sorted(by: { $0.key < $1.key }) {
            if let previous = other.methodSettings[name] { differences += value.differences(from: previous).map { "\(name): \($0)" } }
        }
        for (name, value) in metricSettings.sorted(by: { $0.key < $1.key }) {
            if let previous = other.metricSettings[name] { differences += value.differences(from: previous).map { "\(name): \($0)" } }
        }
        return differences
    }

    /// The union with `other`'s method and metric settings (a rerun that adds methods keeps
    /// the earlier ones on record).
    package func merged(with other: ComparisonSettings) -> ComparisonSettings {
        var merged = self
        merged.methodSettings.merge(other.methodSettings) { current, _ in current }
        merged.metricSettings.merge(other.metricSettings) { current, _ in current }
        return merged
    }

    /// `ContentChecksum` of the weights file (FNV-1a, 16 hex digits).
    static func checksum(of url: URL) throws -> String {
        try ContentChecksum.of([url])
    }
}
