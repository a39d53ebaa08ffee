import ArgumentParser
import VitRel

/// The explainers of a `--methods` list, shared by `compare` and `audit`: the list parsed, each
/// method's options checked against the model, LIME's flags refused when LIME is not listed.
struct PixelExplainers {
    var methods: [ExplanationMethod]
    /// LIME's settings when `methods` lists it.
    var lime: LIMEExplainer?
    /// One per method, in list order.
    var explainers: [PixelExplainer]

    init(methods list: String, model: ClassifierModel, methodOptions: ExplanationMethodOptions, limeOptions: LIMEOptions) throws {
        methods = try CompareCommand.parseList(list, what: "method") { name in
            guard let method = ExplanationMethod(rawValue: name) else { throw ExplanationError.unknownMethod(name) }
            return method
        }
        try methodOptions.validate(forAny: methods, depth: model.config.depth)
        if !methods.contains(.lime), let flag = limeOptions.given.first {
            throw ValidationError("\(flag) is a LIME setting, and lime is not among --methods")
        }
        let lime = methods.contains(.lime) ? try limeOptions.explainer(patchSize: model.config.patchSize) : nil
        self.lime = lime
        explainers = methods.map {
            PixelExplainer(method: $0, options: methodOptions.options, lime: $0 == .lime ? lime : nil, limeSeed: limeOptions.seed ?? 0)
        }
    }
}
