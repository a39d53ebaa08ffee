extension Collection where Element: Comparable {
    /// The index of the largest element, the first of equal largest ones (numpy's `argmax` and
    /// torch's `argmax` pick the same); nil when empty. A class's prediction from its logits or
    /// probabilities everywhere in vitrel, so every command breaks ties alike.
    @inlinable public var indexOfMaximum: Index? { indices.max { self[$0] < self[$1] } }
}
