import Foundation

/// Classifying image files in a stream: the way `vitrel predict` and `vitrel evaluate` read
/// hundreds of radiographs without holding them.
extension ClassifierModel {
    /// The logits of one file that could be classified.
    public struct FileLogits: Sendable {
        /// Position of the file in the list given.
        public var index: Int
        /// [classes]
        public var logits: [Float]
    }

    /// Classifies `urls` `batchSize` files at a time: each batch is decoded and preprocessed
    /// in parallel (`Preprocessing.input(reading:)`, no full-size float copy), run through the
    /// network, and dropped before the next is read. Peak memory is one batch of model inputs
    /// plus one decoded file per thread, whatever the number of files (decoding everything
    /// first grew by about 56 MB per full-size radiograph).
    ///
    /// `options` reaches the decoder (a DICOM window override).
    ///
    /// A file that cannot be read or preprocessed is passed to `failed` (in list order, once)
    /// and left out; the others go on. Errors of the network itself (non-finite logits) are
    /// thrown. Each file's logits are those of a batch of one up to the GEMMs' summation order.
    public func logits(
        reading urls: [URL], options: ImageReadOptions = .fileDefaults, batchSize: Int = 32, failed: (_ index: Int, _ error: Error) -> Void,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> [FileLogits] {
        precondition(batchSize > 0, "batch size must be positive")
        let inputSize = 3 * preprocessing.inputHeight * preprocessing.inputWidth
        var results = [FileLogits]()
        for start in stride(from: 0, to: urls.count, by: batchSize) {
            let range = start..<(start + min(batchSize, urls.count - start))  // no start + batchSize: it may overflow
            let outcomes = Parallel.map(range.count) { i in
                Result { try preprocessing.input(reading: urls[range.lowerBound + i], options: options, parallel: false) }
            }
            var scalars = [Float](), indices = [Int]()
            scalars.reserveCapacity(range.count * inputSize)
            for (offset, outcome) in outcomes.enumerated() {
                switch outcome {
                case .success(let input):
                    scalars += input.scalars
                    indices.append(range.lowerBound + offset)
                case .failure(let error):
                    failed(range.lowerBound + offset, error)
                }
            }
            if !indices.isEmpty {
                let batch = Tensor(shape: [indices.count, 3, preprocessing.inputHeight, preprocessing.inputWidth], scalars: scalars)
                let logits = try network(batch).scalars  // [b, classes]
                let count = config.classCount
                for (row, index) in indices.enumerated() {
                    results.append(FileLogits(index: index, logits: Array(logits[(row * count)..<((row + 1) * count)])))
                }
            }
            progress?(range.upperBound, urls.count)
        }
        return results
    }
}
