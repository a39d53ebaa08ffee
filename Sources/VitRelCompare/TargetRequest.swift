import Foundation
import VitRel

/// Which classes `vitrel explain` explains: each image's predicted class, or given classes.
package enum TargetRequest {
    case predicted
    case classes([Int])

    /// Parses `--target`: nil → predicted; "all"; or names/indices separated by commas.
    package init(_ text: String?, model: ClassifierModel) throws {
        guard let text else {
            self = .predicted
            return
        }
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "all" {
            self = .classes(Array(0..<model.config.classCount))
            return
        }
        var indices = [Int]()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let index = try model.classIndex(part.trimmingCharacters(in: .whitespaces))
            if !indices.contains(index) { indices.append(index) }
        }
        self = .classes(indices)
    }

    package func targets(predicted: Int) -> [Int] {
        switch self {
        case .predicted: return [predicted]
        case .classes(let indices): return indices
        }
    }
}
