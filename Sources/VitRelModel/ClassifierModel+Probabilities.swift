/// Class probabilities for inputs already at the model's size, as LIME needs them.
extension ClassifierModel {
    /// Softmax probabilities [B, classes] for a pixel-space batch [B, 3, H, W] in [0, 1] at the
    /// model's input size: normalised with the model's mean and std, then classified. This is
    /// the classifier `LIMEExplainer` wants (it perturbs pixels, the model reads normalised
    /// inputs), e.g. `try explainer.explain(image, seed: 0, classifier: model.pixelSpaceProbabilities)`.
    public func pixelSpaceProbabilities(_ batch: Tensor<Float>) throws -> Tensor<Float> {
        let logits = try network(preprocessing.normalise(pixelBatch: batch))
        let classes = config.classCount
        var probabilities = [Float]()
        probabilities.reserveCapacity(logits.count)
        for b in 0..<batch.shape[0] {
            probabilities += softmaxProbabilities(Array(logits.scalars[(b * classes)..<((b + 1) * classes)])).map { Float($0) }
        }
        return Tensor(shape: [batch.shape[0], classes], scalars: probabilities)
    }
}
