import XCTest
@testable import VitRelExplain

/// The conservation check every family's tests make: AttnLRP with ε = 0 everywhere (the patch
/// embedding too) leaves only the leaks that have a source, biases and the softmax.
enum LeakAccounting {
    /// AttnLRP's rules with ε = 0 in every rule, the patch embedding's too.
    static var zeroEpsilonAttnLRP: RelevanceRules {
        var rules = RelevanceRules.attnLRP(epsilon: 0)
        rules.patch = .linear(.epsilon(0))
        return rules
    }

    /// The ledger of the relevance pass from `target`'s logit under `zeroEpsilonAttnLRP`.
    static func zeroEpsilonAttnLRPLedger(
        _ model: VisionTransformer<Double>, trace: VisionTransformer<Double>.Trace, target: Int
    ) -> ConservationLedger {
        var seed = Tensor<Double>(zeros: [1, model.config.classCount])
        seed.scalars[target] = trace.logits.scalars[target]
        return model.relevance(seed, trace: trace, rules: zeroEpsilonAttnLRP).ledger
    }

    /// Every layer's gap is its bias share plus its softmax leak (no stabiliser leak), and the
    /// end-to-end gap is the sum of them.
    static func assertEveryLeakHasASource(_ ledger: ConservationLedger, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        for entry in ledger.entries {
            XCTAssertEqual(entry.stabiliserLeak, 0, accuracy: 1e-9, "\(label) \(entry.layer)", file: file, line: line)
        }
        XCTAssertEqual(ledger.endToEndGap, ledger.totalBiasAbsorbed + ledger.totalSoftmaxLeak, accuracy: 1e-9, label, file: file, line: line)
    }
}
