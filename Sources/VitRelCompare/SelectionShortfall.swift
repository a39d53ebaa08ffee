import VitRel

extension ImageSelection.Quota {
    /// Why `selected` is smaller than this quota asked (nil when it is not): a split with fewer
    /// images, or fewer the model classifies correctly (`onlyCorrect`). Worded with the flag
    /// that set the quota, for a warning.
    package func shortfall(
        selected: [LabelledImage], candidates: [LabelledImage], classNames: [String], split: String, onlyCorrect: Bool
    ) -> String? {
        let qualifier = onlyCorrect ? " that the model classifies correctly" : ""
        switch self {
        case .all:
            return nil
        case .total(let count):
            guard selected.count < count else { return nil }
            return "--limit \(count): the \(split) split has \(candidates.count) images"
                + (onlyCorrect ? ", \(selected.count) of them classified correctly (and readable)" : "")
                + "; comparing \(selected.count)"
        case .perClass(let count):
            let got = ImageSelection.classCounts(selected, classCount: classNames.count)
            guard got.contains(where: { $0 < count }) else { return nil }
            let perClass = zip(classNames, got).map { "\($0) \($1)" }.joined(separator: ", ")
            return "--per-class \(count): the \(split) split has fewer\(qualifier) in some classes; images per class: \(perClass)"
        }
    }
}
